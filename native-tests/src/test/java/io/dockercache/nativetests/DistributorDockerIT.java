package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged config-distributor against a real dockerd that runs a container: the mirror goes
 * in and out live (SIGHUP, never a restart), and a real {@code docker pull} goes through the cache.
 */
@ExtendWith(PrintLogsOnFailure.class)
class DistributorDockerIT {

    private static final String DAEMON_JSON = """
            {
              "log-level": "warn",
              "max-concurrent-downloads": 3,
              "labels": ["team=caché-✓"],
              "registry-mirrors": [],
              "log-driver": "json-file",
              "log-opts": {
                "max-size": "10m",
                "max-file": "3"
              }
            }
            """;

    private static final Closer closer = new Closer();
    private static Image image;
    private static CacheProcess cache;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("distributor");
        // dockerd asks the mirror for library/<x> when told to pull <x>.
        TestImages.push(image, upstream.hostPort(), "library/distributed", "1");
        cache = closer.register(CacheProcess.of(upstream.url()).start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void once_addsMirrorLive_pullGoesThroughCache_cleanupRemovesItLive() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.daemonJson().getParent());
            Files.writeString(node.daemonJson(), DAEMON_JSON);
            try (NodeDockerd dockerd = NodeDockerd.start(node)) {
                dockerd.importBusybox("bb:1");
                String container = dockerd.runSleeping("bb:1");
                long pid = dockerd.pid();
                assertEquals("[]", dockerd.registryMirrors(), "no mirror before the distributor runs");

                DistributorProcess.Result once = DistributorProcess.of(node.path(), cache.hostPort()).once();

                assertEquals(0, once.exitCode(), once::toString);
                assertTrue(once.output().contains("reporting skipped"), once::toString);
                assertEquals("[\"" + cache.url() + "/\"]", dockerd.registryMirrors(), "GET /info after --once");
                assertEquals(pid, dockerd.pid(), "dockerd was not restarted");
                assertTrue(dockerd.isAlive(), "dockerd runs");
                assertTrue(dockerd.isRunning(container), "the container kept running");
                JsonObject written = new JsonObject(Files.readString(node.daemonJson()));
                assertEquals(new JsonArray().add(cache.url()), written.getJsonArray("registry-mirrors"));
                assertEquals(new JsonArray().add(cache.hostPort()), written.getJsonArray("insecure-registries"));
                JsonObject original = new JsonObject(DAEMON_JSON);
                for (String key : original.fieldNames()) {
                    if (!key.equals("registry-mirrors")) {
                        assertEquals(original.getValue(key), written.getValue(key), "key " + key + " kept");
                    }
                }

                dockerd.pull("distributed:1");

                assertEquals(image.config().digest(), dockerd.imageId("distributed:1"), "image ID of the pulled image");
                for (Descriptor blob : image.blobs()) {
                    assertTrue(Files.exists(cache.blobData(blob.digest())), () -> blob + " went through the cache");
                }

                DistributorProcess.Result cleanup = DistributorProcess.of(node.path(), cache.hostPort()).cleanup();

                assertEquals(0, cleanup.exitCode(), cleanup::toString);
                assertEquals("[]", dockerd.registryMirrors(), "GET /info after --cleanup");
                assertEquals(pid, dockerd.pid(), "dockerd was not restarted");
                assertTrue(dockerd.isRunning(container), "the container kept running");
                JsonObject cleaned = new JsonObject(Files.readString(node.daemonJson()));
                // dockerd's reload keeps a setting whose key is absent, so the emptied list stays as [].
                assertEquals(new JsonArray(), cleaned.remove("insecure-registries"), "our insecure registry removed");
                assertEquals(original, cleaned, "the original meaning back");
            }
        }
    }

    @Test
    void once_dockerdHasRegistryMirrorFlag_exits1AndChangesNothing() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.daemonJson().getParent());
            String daemonJson = "{\n  \"log-level\": \"warn\"\n}\n";
            Files.writeString(node.daemonJson(), daemonJson);
            try (NodeDockerd dockerd = NodeDockerd.start(node, "--registry-mirror=https://mirror.example.com")) {
                long pid = dockerd.pid();

                DistributorProcess.Result once = DistributorProcess.of(node.path(), cache.hostPort()).once();

                assertEquals(1, once.exitCode(), once::toString);
                assertTrue(once.output().contains("--registry-mirror"), once::toString);
                assertArrayEquals(daemonJson.getBytes(), Files.readAllBytes(node.daemonJson()), "byte-identical");
                try (var files = Files.list(node.daemonJson().getParent())) {
                    assertEquals(1, files.count(), "no backup or record written");
                }
                assertTrue(dockerd.isAlive(), "dockerd still runs");
                assertEquals(pid, dockerd.pid(), "same dockerd");
                assertEquals("[\"https://mirror.example.com/\"]", dockerd.registryMirrors());
            }
        }
    }

    @Test
    void once_dockerdRefusesTheReload_adminsFilePutBackByteForByte_exits1() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.daemonJson().getParent());
            Files.writeString(node.daemonJson(), "{\n  \"log-level\": \"warn\"\n}\n");
            try (NodeDockerd dockerd = NodeDockerd.start(node)) {
                long pid = dockerd.pid();
                // Added by the admin after dockerd started: a reload of this file is refused.
                String admins = "{\n    \"log-level\": \"warn\",\n    \"no-such-option\": true\n}\n";
                Files.writeString(node.daemonJson(), admins);

                DistributorProcess.Result once = DistributorProcess.of(node.path(), cache.hostPort())
                        .env("DOCKER_CACHE_RELOAD_TIMEOUT", "5s").once();

                assertEquals(1, once.exitCode(), once::toString);
                assertTrue(once.output().contains("put back byte for byte"), once::toString);
                assertArrayEquals(admins.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(node.daemonJson()),
                        "the admin's daemon.json, byte for byte");
                try (var files = Files.list(node.daemonJson().getParent())) {
                    assertEquals(List.of(node.daemonJson()), files.toList(), "no backup, record or temp file left");
                }
                assertEquals("[]", dockerd.registryMirrors(), "dockerd runs without our mirror");
                assertTrue(dockerd.isAlive(), "dockerd still runs");
                assertEquals(pid, dockerd.pid(), "dockerd was not restarted");
            }
        }
    }
}
