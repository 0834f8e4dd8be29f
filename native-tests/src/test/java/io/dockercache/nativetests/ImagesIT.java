package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The images as an install uses them: {@code scripts/build-images.sh} builds both in a real dockerd
 * (from the packaged programs, with only the test prerequisites installed), and each runs the way
 * the rendered overlay's Deployment or DaemonSet runs it (read from {@code kubectl kustomize}, not
 * a copy), against real components: a real dockerd pulls through the cache container (filesystem
 * and Azurite storage), and the distributor container reconfigures a real dockerd across the pid
 * namespace.
 */
@ExtendWith(PrintLogsOnFailure.class)
class ImagesIT {

    private static final String CACHE = "docker-cache/cache-service";
    private static final String DISTRIBUTOR = "docker-cache/config-distributor";

    private static final Closer closer = new Closer();
    private static final Map<String, String> report = new LinkedHashMap<>();
    private static ImageHost host;
    private static String version;
    private static Image image;

    @BeforeAll
    static void build() {
        version = System.getProperty("project.version");
        assertTrue(version != null && !version.isBlank(), "system property project.version (set by Maven)");
        host = closer.register(ImageHost.start());
        // The programs are the ones Maven just packaged: the script must not package them again.
        ImageHost.Build build = host.buildImages(RenderedOverlay.repoRoot(), "--no-package");
        assertEquals(0, build.exitCode(), () -> "build-images.sh failed:\n" + build.log() + "\n--- dockerd ---\n" + host.logTail());
        assertEquals(List.of(CACHE + ":" + version, CACHE + ":latest", DISTRIBUTOR + ":" + version, DISTRIBUTOR + ":latest"),
                build.references(), () -> "the references build-images.sh printed; its log:\n" + build.log());
        report.put("build-images.sh", build.took().toMillis() / 1000.0 + " s"
                + (build.log().contains("debootstrap") ? " (base built with debootstrap)" : " (base reused)"));
        for (String program : List.of(CACHE, DISTRIBUTOR)) {
            report.put(program + " size", host.inspectImage(program + ":" + version).getLong("Size") / 1_000_000 + " MB");
        }
        report.put("base size", host.inspectImage("docker-cache/base-jre:17").getLong("Size") / 1_000_000 + " MB");
        image = TestImages.small("images");
    }

    @AfterAll
    static void stop() {
        System.out.println("ImagesIT: " + report);
        closer.close();
    }

    @Test
    void images_taggedWithVersionAndLatest_labelled_plainJavaEntrypoint_cacheUserCreated() {
        String revision = git("rev-parse", "HEAD").trim();
        boolean dirty = !git("status", "--porcelain", "--untracked-files=no").isBlank();
        String source = gitTry("remote", "get-url", "origin").trim();
        for (String program : List.of(CACHE, DISTRIBUTOR)) {
            JsonObject versioned = host.inspectImage(program + ":" + version);
            assertEquals(versioned.getString("Id"), host.inspectImage(program + ":latest").getString("Id"),
                    program + ": latest is the version's image");
            JsonObject config = versioned.getJsonObject("Config");
            JsonObject labels = config.getJsonObject("Labels");
            assertEquals(version, labels.getString("org.opencontainers.image.version"), program);
            assertEquals(revision + (dirty ? "-dirty" : ""), labels.getString("org.opencontainers.image.revision"), program);
            assertEquals(source, labels.getString("org.opencontainers.image.source"), program);
            assertEquals("java", config.getJsonArray("Entrypoint").getString(0), program + ": the entrypoint is plain java");
        }
        // The user the manifests name (the base Deployment's, kept by the azure overlay) exists in the image.
        JsonNode security = RenderedOverlay.of("azure").get("Deployment", "docker-cache")
                .path("spec").path("template").path("spec").path("securityContext");
        String user = security.path("runAsUser").asText() + ":" + security.path("runAsGroup").asText();
        assertEquals(user, host.inspectImage(CACHE + ":" + version).getJsonObject("Config").getString("User"));
        String id = host.docker(Duration.ofMinutes(1), "run", "--rm", "--network", "host", "--entrypoint", "id",
                CACHE + ":" + version).requireSuccess().stdout().trim();
        assertEquals("uid=" + security.path("runAsUser").asText() + "(docker-cache) gid="
                + security.path("runAsGroup").asText() + "(docker-cache) groups=" + security.path("runAsGroup").asText()
                + "(docker-cache)", id);
    }

    @Test
    void cache_asTheFilesystemOverlayRunsIt_becomesReady_dockerdPullsThroughIt_blobsInTheVolume() throws IOException {
        try (UpstreamRegistry upstream = UpstreamRegistry.start()) {
            TestImages.push(image, upstream.hostPort(), "library/imagesit", "1");
            Path volume = WorkDir.create("images-fs-volume");
            RenderedOverlay overlay = RenderedOverlay.of("filesystem");
            PodRun run = cacheRun(overlay)
                    .hostPath("/var/lib/registry", volume)
                    .configKey("docker_cache_remote_url", upstream.url());
            RunningCache cache = startCache(run, "filesystem");
            try (Dockerd dockerd = Dockerd.start(cache.url())) {
                pull(dockerd, "imagesit:1", cache);

                assertEquals(image.config().digest(), dockerd.imageId("imagesit:1"), "image ID of the pulled image");
            }
            long uid = securityLong(overlay, "runAsUser");
            for (Descriptor blob : image.blobs()) {
                Path data = StorageLayout.blobData(volume, blob.digest());
                assertTrue(Files.isRegularFile(data), () -> blob + " landed in the volume at " + data);
                assertEquals(blob.size(), Files.size(data), blob.toString());
                assertEquals(uid, ((Number) Files.getAttribute(data, "unix:uid")).longValue(),
                        "written by the pod's user");
            }
            assertRunsAsTheManifestSays(cache.id(), run);
            host.remove(cache.id());
        }
    }

    @Test
    void cache_asTheAzureOverlayRunsIt_onAzurite_aSecondReplicaServesThePullWithTheUpstreamGone() {
        try (UpstreamRegistry upstream = UpstreamRegistry.start(); Azurite azurite = Azurite.start()) {
            TestImages.push(image, upstream.hostPort(), "library/imagesit", "1");
            RenderedOverlay overlay = RenderedOverlay.of("azure");
            PodRun first = azureRun(overlay, upstream, azurite);
            RunningCache replica = startCache(first, "azure");
            try (Dockerd dockerd = Dockerd.start(replica.url())) {
                pull(dockerd, "imagesit:1", replica);

                assertEquals(image.config().digest(), dockerd.imageId("imagesit:1"));
            }
            assertRunsAsTheManifestSays(replica.id(), first);
            host.remove(replica.id());
            upstream.stop();

            // Everything the second replica serves must come from Azurite: no upstream, a fresh /tmp.
            // By digest: a tag would need the upstream to revalidate it.
            RunningCache second = startCache(azureRun(overlay, upstream, azurite), "azure replica 2");
            String byDigest = "imagesit@" + image.manifest().digest();
            try (Dockerd dockerd = Dockerd.start(second.url())) {
                pull(dockerd, byDigest, second);

                assertEquals(image.config().digest(), dockerd.imageId(byDigest), "served from Azurite");
            }
            host.remove(second.id());
        }
    }

    @Test
    void distributor_asTheDaemonSetRunsIt_onceAppliesTheMirrorLive_cleanupRemovesIt() throws IOException {
        RenderedOverlay overlay = RenderedOverlay.of("filesystem");
        String mirror = "127.0.0.1:" + FreePort.next();
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.daemonJson().getParent());
            String original = "{\n  \"log-level\": \"warn\"\n}\n";
            Files.writeString(node.daemonJson(), original);
            try (NodeDockerd dockerd = NodeDockerd.start(node)) {
                long pid = dockerd.pid();
                assertEquals("[]", dockerd.registryMirrors());

                DistributorRun once = runDistributor(overlay, node, mirror, "--once");

                assertEquals(0, once.exitCode(), once::toString);
                assertEquals("[\"http://" + mirror + "/\"]", dockerd.registryMirrors(), "docker info after --once");
                assertEquals(pid, dockerd.pid(), "dockerd was reloaded, not restarted");
                assertTrue(dockerd.isAlive());

                DistributorRun cleanup = runDistributor(overlay, node, mirror, "--cleanup");

                assertEquals(0, cleanup.exitCode(), cleanup::toString);
                assertEquals("[]", dockerd.registryMirrors(), "docker info after --cleanup");
                assertEquals(pid, dockerd.pid(), "dockerd was reloaded, not restarted");
                JsonObject cleaned = new JsonObject(Files.readString(node.daemonJson()));
                assertEquals("warn", cleaned.getString("log-level"), "the admin's key kept");
                assertEquals(new JsonArray(), cleaned.getJsonArray("registry-mirrors", new JsonArray()), "our mirror removed");
            }
        }
    }

    /** The cache container of {@code overlay}'s Deployment, on the image the overlay names, tagged from ours. */
    private static PodRun cacheRun(RenderedOverlay overlay) {
        PodRun run = PodRun.of(overlay, "Deployment", "docker-cache", "cache-service");
        tagAs(CACHE + ":" + version, run.renderedImage());
        return run;
    }

    /** {@code docker pull ref} through {@code cache}; a failure carries the cache container's log. */
    private static void pull(Dockerd dockerd, String ref, RunningCache cache) {
        try {
            dockerd.pull(ref);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- cache container log ---\n" + tail(host.logs(cache.id())), e);
        }
    }

    private static String tail(String text) {
        return text.length() <= 8000 ? text : "..." + text.substring(text.length() - 8000);
    }

    private static PodRun azureRun(RenderedOverlay overlay, UpstreamRegistry upstream, Azurite azurite) {
        return cacheRun(overlay)
                .secret("azure-account-key", Azurite.KEY)
                .configKey("docker_cache_azure_account_name", Azurite.ACCOUNT)
                .configKey("docker_cache_azure_endpoint", azurite.endpoint())
                .configKey("docker_cache_remote_url", upstream.url());
    }

    private static void tagAs(String built, String rendered) {
        host.docker(Duration.ofSeconds(30), "tag", built, rendered).requireSuccess();
    }

    /** A started cache container: its registry URL and how long it took from {@code docker run} to ready. */
    private record RunningCache(String id, String url, Duration toReady) {
    }

    /**
     * Starts the cache container on free 127.0.0.1 ports (host networking: the manifest's 5000 and
     * 9000 may be taken here) and waits for the Deployment's readiness probe to pass.
     */
    private static RunningCache startCache(PodRun run, String what) {
        Map<String, Integer> ports = Map.of("registry", FreePort.next(), "management", FreePort.next());
        assertEquals(5000, run.containerPort("registry"));
        assertEquals(9000, run.containerPort("management"));
        run.env("QUARKUS_HTTP_HOST", "127.0.0.1").env("QUARKUS_HTTP_PORT", ports.get("registry").toString())
                .env("QUARKUS_MANAGEMENT_HOST", "127.0.0.1").env("QUARKUS_MANAGEMENT_PORT", ports.get("management").toString());
        JsonNode probe = run.container().path("readinessProbe").path("httpGet");
        URI ready = URI.create("http://127.0.0.1:" + ports.get(probe.path("port").asText()) + probe.path("path").asText());
        String name = "cache-" + what.replace(' ', '-') + "-" + ports.get("registry");
        List<String> args = run.dockerRunArgs(WorkDir.create("pod-" + name), name);
        long start = System.nanoTime();
        String id = host.runDetached(args);
        closer.register((AutoCloseable) () -> host.remove(id));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Await.until(Duration.ofSeconds(90), () -> {
            if (!host.isRunning(id)) {
                throw new AssertionError("the " + what + " cache container exited:\n" + host.logs(id));
            }
            return status(client, ready) == 200;
        }, () -> "the " + what + " cache container is not ready at " + ready + ":\n" + host.logs(id));
        Duration toReady = Duration.ofNanos(System.nanoTime() - start);
        report.put("cache " + what + " start to ready", toReady.toMillis() + " ms");
        report.put("cache " + what + " deviations", run.deviations().toString());
        return new RunningCache(id, "http://127.0.0.1:" + ports.get("registry"), toReady);
    }

    private static int status(HttpClient client, URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** What docker applied is what the manifest says (the run arguments are derived, so check the result). */
    private static void assertRunsAsTheManifestSays(String id, PodRun run) {
        JsonObject container = host.inspectContainer(id);
        JsonObject hostConfig = container.getJsonObject("HostConfig");
        JsonNode security = run.container().path("securityContext");
        assertEquals(security.path("readOnlyRootFilesystem").asBoolean(), hostConfig.getBoolean("ReadonlyRootfs"), "read-only root");
        assertEquals(new JsonArray().add("ALL"), hostConfig.getJsonArray("CapDrop"), "capabilities dropped");
        assertTrue(hostConfig.getJsonArray("SecurityOpt", new JsonArray()).contains("no-new-privileges"), "no privilege escalation");
        assertTrue(hostConfig.getJsonObject("Tmpfs", new JsonObject()).containsKey("/tmp"), "/tmp is a tmpfs");
        List<String> mounts = new ArrayList<>();
        container.getJsonArray("Mounts").forEach(m -> mounts.add(((JsonObject) m).getString("Destination")));
        for (JsonNode mount : run.container().path("volumeMounts")) {
            String path = mount.path("mountPath").asText();
            assertTrue(path.equals("/tmp") || mounts.contains(path), () -> path + " is mounted: " + mounts);
        }
    }

    /** How one distributor container run ended. */
    private record DistributorRun(String mode, int exitCode, String output) {
        @Override
        public String toString() {
            return "config-distributor container " + mode + " exited " + exitCode + ":\n" + output;
        }
    }

    /** The DaemonSet's container with {@code mode}: host PID, root, the node's etc and var/run under /host. */
    private static DistributorRun runDistributor(RenderedOverlay overlay, NodeRoot node, String mirror, String mode) {
        PodRun run = PodRun.of(overlay, "DaemonSet", "config-distributor", "config-distributor");
        tagAs(DISTRIBUTOR + ":" + version, run.renderedImage());
        run.withoutPrivileged()
                .hostPath("/etc", node.resolve("etc"))
                .hostPath("/var/run", node.resolve("var/run"))
                .fieldRef("spec.nodeName", "it-node")
                // No API server here: the mirror is given, reporting fails fast and is skipped.
                .env("DOCKER_CACHE_HOST", mirror)
                .env("KUBERNETES_MASTER", "http://127.0.0.1:" + FreePort.next())
                .env("DOCKER_CACHE_REPORT_TIMEOUT", "3s")
                .env("QUARKUS_HTTP_HOST", "127.0.0.1").env("QUARKUS_HTTP_PORT", Integer.toString(FreePort.next()))
                .env("QUARKUS_MANAGEMENT_HOST", "127.0.0.1")
                .env("QUARKUS_MANAGEMENT_PORT", Integer.toString(FreePort.next()))
                .args(mode);
        String name = "distributor" + mode.replace("--", "-") + "-" + FreePort.next();
        String id = host.runDetached(run.dockerRunArgs(WorkDir.create("pod-" + name), name));
        closer.register((AutoCloseable) () -> host.remove(id));
        int exitCode = host.await(id, Duration.ofMinutes(2));
        JsonObject inspected = host.inspectContainer(id);
        assertEquals("host", inspected.getJsonObject("HostConfig").getString("PidMode"), "host PID namespace");
        assertTrue(inspected.getJsonObject("HostConfig").getBoolean("ReadonlyRootfs"), "read-only root");
        assertEquals("0:0", inspected.getJsonObject("Config").getString("User"), "root, as the DaemonSet runs it");
        report.put("distributor deviations", run.deviations().toString());
        String output = host.logs(id);
        host.remove(id);
        return new DistributorRun(mode, exitCode, output);
    }

    private static long securityLong(RenderedOverlay overlay, String field) {
        return overlay.get("Deployment", "docker-cache").path("spec").path("template").path("spec")
                .path("securityContext").path(field).asLong();
    }

    private static String git(String... args) {
        return gitCommand(args).requireSuccess().stdout();
    }

    private static String gitTry(String... args) {
        Command.Result result = gitCommand(args);
        return result.exitCode() == 0 ? result.stdout() : "";
    }

    private static Command.Result gitCommand(String... args) {
        List<Object> command = new ArrayList<>(List.of(Tools.require("git", "git"), "-C", RenderedOverlay.repoRoot()));
        command.addAll(List.of(args));
        return Command.tryRun(Duration.ofSeconds(30), command.toArray());
    }
}
