package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a real dockerd does with a registry mirror that demands Basic auth (issue 3, item 4). The
 * images exist only on the test upstream, so a pull that bypasses the cache for Docker Hub fails
 * (no route to registry-1.docker.io here). What each case printed goes to
 * {@code <work dir>/dockerd-auth-observations.txt}.
 */
@ExtendWith(PrintLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerdAuthIT {

    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(5);
    private static final String PASSWORD = "node-pw-4Rt9";
    private static final String UNAUTHORIZED = "http_server_requests_seconds_count";
    private static final Closer closer = new Closer();
    private static Image image;
    private static FaultProxy upstreamProxy;
    private static HtpasswdFile users;
    private static CacheProcess cache;
    private static Dockerd dockerd;

    @BeforeAll
    static void start() throws IOException {
        Files.deleteIfExists(observations());
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("dockerd-auth");
        // dockerd asks the mirror for library/<x> when told to pull <x>.
        TestImages.push(image, upstream.hostPort(), "library/authonly", "1");
        TestImages.push(image, upstream.hostPort(), "library/wrongcreds", "1");
        TestImages.push(image, upstream.hostPort(), "library/anonymous", "1");
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        users = HtpasswdFile.create().bcrypt("node", PASSWORD);
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_HTPASSWD", users.base64()).start());
        dockerd = closer.register(Dockerd.start(cache.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    @Order(1)
    void noCredentials_dockerdIsRefusedByTheMirrorAndSilentlyTriesDockerHub() {
        double refusedBefore = refusals(cache);

        List<String> logBefore = dockerd.logTail().lines().toList();
        Command.Result pull = dockerd.docker(PULL_TIMEOUT, "pull", "authonly:1");

        observe("(a) plain `docker pull authonly:1`, mirror demands auth, no credentials", pull, dockerd, logBefore);
        assertNotEquals(0, pull.exitCode(), () -> "the pull succeeded without credentials:\n" + pull.tail());
        assertTrue(refusals(cache) > refusedBefore, () -> "the cache answered no 401 during the pull;"
                + " is dockerd using the mirror at all? " + dockerd.registryMirrors());
        assertEquals(0, upstreamProxy.requests().count("/library/authonly/"),
                () -> "the upstream was asked for the image, so the cache let dockerd in: " + upstreamProxy.requests());
        assertTrue((pull.tail() + dockerd.logTail()).contains("registry-1.docker.io"),
                () -> "dockerd did not turn to Docker Hub after the mirror's 401:\n" + pull.tail()
                        + "\n--- dockerd log ---\n" + dockerd.logTail());
    }

    @Test
    @Order(2)
    void wrongDockerHubCredentials_areRefusedByTheMirrorToo() {
        Path config = dockerConfig("node", "not-" + PASSWORD);
        double refusedBefore = refusals(cache);

        List<String> logBefore = dockerd.logTail().lines().toList();
        Command.Result pull = dockerd.docker(PULL_TIMEOUT, "--config", config, "pull", "wrongcreds:1");

        observe("(b') `docker --config DIR pull wrongcreds:1`, docker.io credentials with a wrong password", pull,
                dockerd, logBefore);
        assertNotEquals(0, pull.exitCode(), () -> "the pull succeeded with a wrong password:\n" + pull.tail());
        assertTrue(refusals(cache) > refusedBefore, () -> "the cache answered no 401 during the pull");
        assertEquals(0, upstreamProxy.requests().count("/library/wrongcreds/"),
                () -> "the upstream was asked for the image: " + upstreamProxy.requests());
    }

    @Test
    @Order(3)
    void dockerHubCredentialsOfAnHtpasswdUser_pullThroughTheCache() {
        Path config = dockerConfig("node", PASSWORD);

        List<String> logBefore = dockerd.logTail().lines().toList();
        Command.Result pull = dockerd.docker(PULL_TIMEOUT, "--config", config, "pull", "authonly:1");

        observe("(b) `docker --config DIR pull authonly:1`, DIR/config.json auths[\"https://index.docker.io/v1/\"]"
                + " = an htpasswd user", pull, dockerd, logBefore);
        assertEquals(0, pull.exitCode(), () -> "docker pull with docker.io credentials failed:\n" + pull.tail()
                + "\n--- dockerd log ---\n" + dockerd.logTail());
        assertEquals(image.config().digest(), dockerd.imageId("authonly:1"), "image ID of authonly:1");
        for (Descriptor blob : image.blobs()) {
            assertTrue(upstreamProxy.requests().count("GET", "/library/authonly/blobs/" + blob.digest()) >= 1,
                    () -> "the cache never fetched " + blob + " from the upstream: " + upstreamProxy.requests());
        }
    }

    @Test
    @Order(4)
    void anonymousCidrs_plainDockerPullGoesThroughTheCache() {
        try (CacheProcess open = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_HTPASSWD", users.base64())
                .env("DOCKER_CACHE_ANONYMOUS_CIDRS", "127.0.0.1/32")
                .start();
             Dockerd node = Dockerd.start(open.url())) {
            List<String> logBefore = node.logTail().lines().toList();
            Command.Result pull = node.docker(PULL_TIMEOUT, "pull", "anonymous:1");

            observe("(c) plain `docker pull anonymous:1`, cache with docker_cache_anonymous_cidrs=127.0.0.1/32", pull,
                    node, logBefore);
            assertEquals(0, pull.exitCode(), () -> "plain docker pull from an anonymous network failed:\n"
                    + pull.tail() + "\n--- dockerd log ---\n" + node.logTail());
            assertEquals(image.config().digest(), node.imageId("anonymous:1"), "image ID of anonymous:1");
            assertEquals(0.0, refusals(open), "401s answered by the cache with an anonymous network");
            ImageAssertions.awaitFiles(Duration.ofSeconds(10),
                    image.blobs().stream().map(blob -> open.blobData(blob.digest())).toList());
        }
    }

    /** 401 answers the cache counted so far. */
    private static double refusals(CacheProcess cache) {
        Double count = Metrics.sum(Metrics.scrape(cache), UNAUTHORIZED, "status=\"401\"");
        return count == null ? 0 : count;
    }

    /** A docker client config dir whose config.json holds Docker Hub credentials, as {@code docker login} writes. */
    private static Path dockerConfig(String user, String password) {
        Path dir = WorkDir.create("docker-config");
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        JsonObject config = new JsonObject().put("auths", new JsonObject()
                .put("https://index.docker.io/v1/", new JsonObject().put("auth", auth)));
        try {
            Files.writeString(dir.resolve("config.json"), config.encodePrettily());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static Path observations() {
        return WorkDir.base().resolve("dockerd-auth-observations.txt");
    }

    /** Records what docker printed and what dockerd logged during the pull, for the README. */
    private static void observe(String situation, Command.Result pull, Dockerd daemon, List<String> logBefore) {
        Set<String> old = new HashSet<>(logBefore);
        String dockerdLines = String.join("\n", daemon.logTail().lines()
                .filter(l -> l.startsWith("time=") && !old.contains(l)).toList());
        String text = "=== " + situation + "\nexit code " + pull.exitCode() + "\n" + pull.tail()
                + "\n--- dockerd log lines ---\n" + dockerdLines + "\n\n";
        System.out.println(text);
        try {
            Files.writeString(observations(), text,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
