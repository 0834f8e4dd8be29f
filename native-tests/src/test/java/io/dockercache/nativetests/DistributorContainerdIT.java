package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A containerd-only node: the packaged distributor writes hosts.toml (no dockerd needed), then a
 * real containerd pulls through the cache with {@code ctr --hosts-dir} pointed at what it wrote.
 */
@ExtendWith(PrintLogsOnFailure.class)
class DistributorContainerdIT {

    private static final Closer closer = new Closer();
    private static Image image;
    private static CacheProcess cache;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("distributor-ctr");
        TestImages.push(image, upstream.hostPort(), "library/distributed-ctr", "1");
        cache = closer.register(CacheProcess.of(upstream.url()).start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void once_writesHostsToml_ctrPullsThroughCache_cleanupRemovesIt() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Path etc = node.resolve("etc/containerd");
            Path socket = node.resolve("run-containerd/containerd.sock");
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("config.toml"), "version = 2\n"
                    + "root = \"" + WorkDir.create("node-containerd").resolve("root") + "\"\n"
                    + "state = \"" + node.resolve("run-containerd/state") + "\"\n"
                    + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                    + "[grpc]\n  address = \"" + socket + "\"\n"
                    + "[ttrpc]\n  address = \"" + socket + ".ttrpc\"\n"
                    + "[debug]\n  address = \"" + socket + ".debug\"\n"
                    + "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                    + "  config_path = \"/etc/containerd/certs.d\"\n");
            ChildProcess containerd = closer.register(ChildProcess.start("containerd " + node, List.of(
                    Tools.containerd().toString(), "--config", etc.resolve("config.toml").toString()),
                    Map.of(), WorkDir.create("node-containerd-log").resolve("containerd.log")));
            Await.until(Duration.ofSeconds(60), () -> {
                if (!containerd.isAlive()) {
                    throw new AssertionError("containerd exited at start:\n" + containerd.logTail());
                }
                return ctr(socket, Duration.ofSeconds(10), "version").exitCode() == 0;
            }, () -> "containerd is not ready:\n" + containerd.logTail());

            DistributorProcess.Result once = DistributorProcess.of(node.path(), cache.hostPort()).once();

            assertEquals(0, once.exitCode(), once::toString);
            assertFalse(once.output().contains("config_path is not set"), once::toString);
            Path hostsToml = etc.resolve("certs.d/docker.io/hosts.toml");
            assertTrue(Files.readString(hostsToml).contains("[host.\"" + cache.url() + "\"]"), Files.readString(hostsToml));
            assertFalse(Files.exists(node.resolve("etc/docker")), "nothing written for docker on a containerd-only node");

            Command.Result pull = ctr(socket, Duration.ofMinutes(5), "images", "pull", "--hosts-dir",
                    etc.resolve("certs.d"), "docker.io/library/distributed-ctr:1");

            assertEquals(0, pull.exitCode(), () -> pull.tail() + "\n--- containerd ---\n" + containerd.logTail());
            for (Descriptor blob : image.blobs()) {
                assertTrue(Files.exists(cache.blobData(blob.digest())), () -> blob + " went through the cache");
            }

            DistributorProcess.Result cleanup = DistributorProcess.of(node.path(), cache.hostPort()).cleanup();

            assertEquals(0, cleanup.exitCode(), cleanup::toString);
            assertFalse(Files.exists(hostsToml), "our hosts.toml removed");
            containerd.close();
        }
    }

    private static Command.Result ctr(Path socket, Duration timeout, Object... args) {
        Object[] command = new Object[args.length + 3];
        command[0] = Tools.ctr();
        command[1] = "--address";
        command[2] = socket;
        System.arraycopy(args, 0, command, 3, args.length);
        return Command.tryRun(timeout, command);
    }
}
