package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The packaged config-distributor's start-up check and its answer on a node without runtimes. */
class DistributorConfigIT {

    @Test
    void once_invalidHostAndPeriod_stopsAtStartNamingBothKeys() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.resolve("etc/containerd"));

            DistributorProcess.Result once = DistributorProcess.of(node.path(), "ftp://10.0.0.1:30500")
                    .env("DOCKER_CACHE_RESYNC_PERIOD", "0s").once();

            assertNotEquals(0, once.exitCode(), once::toString);
            assertTrue(once.output().contains("docker_cache_host: \"ftp://10.0.0.1:30500\" is not a mirror address"),
                    once::toString);
            assertTrue(once.output().contains("docker_cache_resync_period:"), once::toString);
            assertEquals(List.of(node.resolve("etc/containerd")), list(node.resolve("etc")), "nothing written");
            try (Stream<java.nio.file.Path> files = Files.list(node.resolve("etc/containerd"))) {
                assertEquals(0, files.count(), "nothing written");
            }
        }
    }

    @Test
    void once_nodeWithoutDockerOrContainerd_exits1AndSaysSo_cleanupExits0() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            DistributorProcess distributor = DistributorProcess.of(node.path(), "10.0.0.1:30500");

            DistributorProcess.Result once = distributor.once();
            DistributorProcess.Result cleanup = distributor.cleanup();

            assertEquals(1, once.exitCode(), once::toString);
            assertTrue(once.output().contains("no-runtime"), once::toString);
            assertTrue(once.output().contains("neither docker nor containerd"), once::toString);
            assertEquals(0, cleanup.exitCode(), cleanup::toString);
            assertTrue(cleanup.output().contains("nothing to remove"), cleanup::toString);
            assertEquals(List.of(node.resolve("var")), list(node.path()), "no /etc created");
        }
    }

    private static List<java.nio.file.Path> list(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
