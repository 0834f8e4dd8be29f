package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * htpasswd (bcrypt) Basic auth on the registry port: the seed's base64 {@code docker_cache_htpasswd},
 * a re-read {@code docker_cache_htpasswd_file}, anonymous networks, and health and metrics that stay open.
 */
@ExtendWith(PrintLogsOnFailure.class)
class HtpasswdIT {

    private static final String REALM = "Basic realm=\"docker-cache\"";
    private static final String ALICE_PASSWORD = "alice-pw-7Hq2";
    private static final String NAME = "library/small";
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(3);
    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Image image;
    private static HtpasswdFile users;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("htpasswd");
        TestImages.push(image, upstream.hostPort(), NAME, "1");
        // Line 1 bcrypt, line 2 MD5, line 3 SHA1: only alice may get in.
        users = HtpasswdFile.create().bcrypt("alice", ALICE_PASSWORD).md5("md5user", "md5-pw").sha("shauser", "sha-pw");
        cache = closer.register(CacheProcess.of(upstream.url()).env("DOCKER_CACHE_HTPASSWD", users.base64()).start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void correctCredentials_pingAndManifestAnswer200() {
        RegistryResponse ping = client.get("/v2/", "Authorization", HtpasswdFile.basic("alice", ALICE_PASSWORD));
        RegistryResponse manifest = manifest(client, HtpasswdFile.basic("alice", ALICE_PASSWORD));

        assertEquals(200, ping.status(), () -> "GET /v2/ with alice's credentials: " + ping.describe());
        assertEquals(200, manifest.status(), () -> "manifest with alice's credentials: " + manifest.describe());
        assertEquals(image.manifest().digest(), Sha256.of(manifest.body()), () -> manifest.describe());
    }

    @Test
    void noCredentials_401WithBasicChallenge() {
        assertUnauthorized(client.get("/v2/"));
        assertUnauthorized(manifest(client, null));
    }

    @Test
    void wrongPassword_401WithBasicChallengeAndUnauthorized() {
        assertUnauthorized(client.get("/v2/", "Authorization", HtpasswdFile.basic("alice", "not-" + ALICE_PASSWORD)));
        assertUnauthorized(manifest(client, HtpasswdFile.basic("alice", "not-" + ALICE_PASSWORD)));
    }

    @Test
    void unknownUser_401() {
        assertUnauthorized(client.get("/v2/", "Authorization", HtpasswdFile.basic("mallory", ALICE_PASSWORD)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Bearer YWxpY2U6YWxpY2UtcHctN0hxMg==", // alice's right credentials, wrong scheme
        "Basic !!!not-base64!!!",
        "Basic YWxpY2VhbGljZS1wdy03SHEy", // base64 of alice + password without the colon
        "Basic",
        "Basic OmFsaWNlLXB3LTdIcTI=", // ":password", no user
    })
    void malformedAuthorizationHeader_401(String header) {
        assertUnauthorized(client.get("/v2/", "Authorization", header));
    }

    @Test
    void nonBcryptEntries_areRefusedAndWarnedAboutWithLineAndUserButNoHash() throws IOException {
        assertUnauthorized(client.get("/v2/", "Authorization", HtpasswdFile.basic("md5user", "md5-pw")));
        assertUnauthorized(client.get("/v2/", "Authorization", HtpasswdFile.basic("shauser", "sha-pw")));

        String log = Files.readString(cache.log(), StandardCharsets.UTF_8);
        assertWarning(log, "md5user", 2);
        assertWarning(log, "shauser", 3);
        for (String user : List.of("alice", "md5user", "shauser")) {
            assertFalse(log.contains(users.hashOf(user)), () -> "the log shows " + user + "'s hash: " + cache.log());
        }
    }

    @Test
    void malformedFile_refusesToStartNamingTheKey() {
        HtpasswdFile good = HtpasswdFile.create().bcrypt("alice", ALICE_PASSWORD);
        String malformed = good.content() + "this line has no colon\n";

        CacheProcess.StartFailure failure = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD", base64(malformed)).startExpectingFailure(Duration.ofSeconds(60));

        assertRefused(failure, "docker_cache_htpasswd");
        assertFalse(failure.output().contains(good.hashOf("alice")), () -> "the output shows the hash:\n" + failure);
    }

    @Test
    void fileWithoutBcryptEntries_refusesToStartNamingTheKey() {
        HtpasswdFile md5Only = HtpasswdFile.create().md5("md5user", "md5-pw");

        CacheProcess.StartFailure failure = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD", md5Only.base64()).startExpectingFailure(Duration.ofSeconds(60));

        assertRefused(failure, "docker_cache_htpasswd");
        assertFalse(failure.output().contains(md5Only.hashOf("md5user")),
                () -> "the output shows the hash:\n" + failure);
    }

    @Test
    void inlineAndFileBothSet_refusesToStart() {
        CacheProcess.StartFailure failure = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD", users.base64())
                .env("DOCKER_CACHE_HTPASSWD_FILE", users.path().toString())
                .startExpectingFailure(Duration.ofSeconds(60));

        assertRefused(failure, "docker_cache_htpasswd_file");
    }

    @Test
    void skopeo_withCredentialsPulls_withoutGets401() {
        Path out = WorkDir.create("skopeo-auth").resolve("oci");
        String source = "docker://" + cache.hostPort() + "/" + NAME + ":1";

        Command.Result anonymous = Command.tryRun(COPY_TIMEOUT, Tools.skopeo(), "--insecure-policy", "copy",
                "--src-tls-verify=false", "--src-no-creds", source, "oci:" + out + ":small");
        Command.Result withCreds = Command.tryRun(COPY_TIMEOUT, Tools.skopeo(), "--insecure-policy", "copy",
                "--src-tls-verify=false", "--src-creds", "alice:" + ALICE_PASSWORD, source, "oci:" + out + ":small");

        assertNotEquals(0, anonymous.exitCode(), () -> "skopeo without credentials succeeded:\n" + anonymous.tail());
        assertTrue(anonymous.stderr().contains("401") || anonymous.stderr().toLowerCase().contains("unauthorized"),
                () -> "skopeo without credentials failed, but not with 401:\n" + anonymous.tail());
        assertEquals(0, withCreds.exitCode(), () -> "skopeo --src-creds failed:\n" + withCreds.tail());
        ImageAssertions.assertLayoutIntact(out, image.blobs());
        WorkDir.deleteTree(out.getParent());
    }

    @Test
    void warmTagLoop_runsBcryptAtMostOnce() {
        String alice = HtpasswdFile.basic("alice", ALICE_PASSWORD);
        String counter = "docker_cache_auth_bcrypt_verifications_total";
        double before = Metrics.required(cache, counter);
        // A wrong password is never remembered: this proves the counter counts bcrypt runs.
        assertUnauthorized(client.get("/v2/", "Authorization", HtpasswdFile.basic("alice", "wrong")));
        double afterWrong = Metrics.required(cache, counter);
        assertTrue(afterWrong >= before + 1, () -> counter + " did not move on a wrong password: " + before
                + " -> " + afterWrong);
        assertEquals(200, manifest(client, alice).status(), "warming manifest GET");
        double warm = Metrics.required(cache, counter);

        for (int i = 0; i < 50; i++) {
            RegistryResponse response = manifest(client, alice);
            int n = i;
            assertEquals(200, response.status(), () -> "warm tag GET #" + n + ": " + response.describe());
        }

        double after = Metrics.required(cache, counter);
        assertTrue(after - warm <= 1, () -> "50 warm tag GETs with the same credentials ran bcrypt "
                + (after - warm) + " times");
    }

    @Test
    void anonymousCidrs_letLoopbackClientsPullWithoutCredentials() {
        try (CacheProcess open = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD", users.base64())
                .env("DOCKER_CACHE_ANONYMOUS_CIDRS", "10.0.0.0/8,127.0.0.1/32")
                .start();
             CacheProcess elsewhere = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD", users.base64())
                .env("DOCKER_CACHE_ANONYMOUS_CIDRS", "10.0.0.0/8")
                .start()) {
            RegistryResponse fromLoopback = manifest(new RegistryClient(open.url()), null);
            RegistryResponse notListed = manifest(new RegistryClient(elsewhere.url()), null);

            assertEquals(200, fromLoopback.status(), () -> "127.0.0.1 in docker_cache_anonymous_cidrs, no credentials: "
                    + fromLoopback.describe());
            assertEquals(image.manifest().digest(), Sha256.of(fromLoopback.body()), () -> fromLoopback.describe());
            assertUnauthorized(notListed);
        }
    }

    @Test
    void htpasswdFile_reloadsANewUser_andFailsClosedWhenMalformed() throws IOException {
        HtpasswdFile file = HtpasswdFile.create().bcrypt("alice", ALICE_PASSWORD);
        try (CacheProcess watching = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD_FILE", file.path().toString()).start()) {
            RegistryClient watched = new RegistryClient(watching.url());
            String bob = HtpasswdFile.basic("bob", "bob-pw");
            String alice = HtpasswdFile.basic("alice", ALICE_PASSWORD);
            assertEquals(200, watched.get("/v2/", "Authorization", alice).status(), "alice before the edit");
            assertUnauthorized(watched.get("/v2/", "Authorization", bob));

            file.bcrypt("bob", "bob-pw");
            Await.until(Duration.ofSeconds(15), () -> watched.get("/v2/", "Authorization", bob).status() == 200,
                    () -> "bob, added to " + file.path() + ", is still refused:\n" + watching.logTail());
            assertEquals(200, watched.get("/v2/", "Authorization", alice).status(), "alice after bob was added");

            Files.writeString(file.path(), file.content() + "no colon on this line\n");
            Await.until(Duration.ofSeconds(15), () -> watched.get("/v2/", "Authorization", alice).status() == 401,
                    () -> "alice still gets in after " + file.path() + " became malformed:\n" + watching.logTail());
            assertUnauthorized(watched.get("/v2/", "Authorization", alice));
            assertUnauthorized(manifest(watched, bob));
            assertTrue(watching.isAlive(), "the cache must keep running (and refusing) with a malformed file");
        }
    }

    @Test
    void htpasswdFileUnusable_anonymousNetworksShutOutToo_untilItIsFixed() throws IOException {
        HtpasswdFile file = HtpasswdFile.create().bcrypt("alice", ALICE_PASSWORD);
        try (CacheProcess watching = CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_HTPASSWD_FILE", file.path().toString())
                .env("DOCKER_CACHE_ANONYMOUS_CIDRS", "127.0.0.1/32")
                .start()) {
            RegistryClient anonymous = new RegistryClient(watching.url());
            assertEquals(200, manifest(anonymous, null).status(), "127.0.0.1 is an anonymous network");
            String good = file.content();

            Files.writeString(file.path(), good + "no colon on this line\n");
            Await.until(Duration.ofSeconds(15), () -> anonymous.get("/v2/").status() == 401,
                    () -> "an anonymous network still gets in after " + file.path() + " became malformed:\n"
                            + watching.logTail());
            assertUnauthorized(manifest(anonymous, null));
            assertUnauthorized(manifest(anonymous, HtpasswdFile.basic("alice", ALICE_PASSWORD)));

            Files.writeString(file.path(), good);
            Await.until(Duration.ofSeconds(15), () -> manifest(anonymous, null).status() == 200,
                    () -> "the anonymous network is still refused after " + file.path() + " was fixed:\n"
                            + watching.logTail());
        }
    }

    @Test
    void management_healthAndMetricsNeedNoCredentials() {
        RegistryClient management = new RegistryClient(cache.managementUrl());

        RegistryResponse ready = management.get("/q/health/ready");
        RegistryResponse live = management.get("/q/health/live");

        assertEquals(200, ready.status(), () -> ready.describe());
        assertEquals(200, live.status(), () -> live.describe());
        Metrics.required(cache, "docker_cache_auth_bcrypt_verifications_total");
    }

    private static RegistryResponse manifest(RegistryClient client, String authorization) {
        List<String> headers = new ArrayList<>(List.of("Accept", RegistryClient.ALL_MANIFEST_TYPES));
        if (authorization != null) {
            headers.addAll(List.of("Authorization", authorization));
        }
        return client.get("/v2/" + NAME + "/manifests/1", headers.toArray(String[]::new));
    }

    /** 401, the Basic challenge of our realm, the registry error envelope with UNAUTHORIZED. */
    static void assertUnauthorized(RegistryResponse response) {
        assertEquals(401, response.status(), () -> "status of " + response.describe());
        assertEquals(REALM, response.header("WWW-Authenticate"), () -> "challenge of " + response.describe());
        if (!response.method().equals("HEAD")) {
            assertEquals("UNAUTHORIZED", response.errorCode(), () -> "error code of " + response.describe());
        }
        ImageAssertions.assertApiVersionHeader(response);
    }

    private static void assertWarning(String log, String user, int lineNumber) {
        Pattern number = Pattern.compile("\\b" + lineNumber + "\\b");
        List<String> lines = log.lines().filter(l -> l.contains("WARN") && l.contains(user)).toList();
        assertFalse(lines.isEmpty(), () -> "no WARN line names the ignored non-bcrypt user " + user + ":\n" + log);
        assertTrue(lines.stream().anyMatch(l -> number.matcher(l.replace(user, "")).find()),
                () -> "the warning about " + user + " does not name its line number " + lineNumber + ": " + lines);
    }

    private static void assertRefused(CacheProcess.StartFailure failure, String key) {
        assertEquals(1, failure.exitCode(), () -> "exit code of a refused start:\n" + failure.output());
        assertTrue(failure.output().contains(key), () -> "the output does not name " + key + ":\n" + failure.output());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
