package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A containerd-only node: the packaged distributor writes hosts.toml (no dockerd needed), then a
 * real containerd pulls through the cache with {@code ctr --hosts-dir} pointed at what it wrote.
 * With {@code docker_cache_registries} it writes one per registry host, and containerd sends that
 * registry's pulls to the cache too (with {@code ?ns=<host>}).
 */
@ExtendWith(PrintLogsOnFailure.class)
class DistributorContainerdIT {

    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Image image;
    private static CacheProcess cache;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
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
            NodeContainerd containerd = NodeContainerd.start(node);

            DistributorProcess.Result once = DistributorProcess.of(node.path(), cache.hostPort()).once();

            assertEquals(0, once.exitCode(), once::toString);
            assertFalse(once.output().contains("config_path is not set"), once::toString);
            Path hostsToml = containerd.hostsToml("docker.io");
            assertTrue(Files.readString(hostsToml).contains("[host.\"" + cache.url() + "\"]"), Files.readString(hostsToml));
            assertFalse(Files.exists(node.resolve("etc/docker")), "nothing written for docker on a containerd-only node");

            containerd.pull("docker.io/library/distributed-ctr:1");

            for (Descriptor blob : image.blobs()) {
                assertTrue(Files.exists(cache.blobData(blob.digest())), () -> blob + " went through the cache");
            }

            DistributorProcess.Result cleanup = DistributorProcess.of(node.path(), cache.hostPort()).cleanup();

            assertEquals(0, cleanup.exitCode(), cleanup::toString);
            assertFalse(Files.exists(hostsToml), "our hosts.toml removed");
            containerd.close();
        }
    }

    /**
     * Issue 12, acceptance 2. U1 (the default upstream) holds library/base:1, U2 (standing in for
     * ghcr.io) holds owner/tool:1. docker.io's fallback server is Docker Hub, unreachable here;
     * ghcr.io's is U2 itself, as the distributor writes the registry's configured URL, so U2's
     * access log must show that containerd never asked it directly.
     */
    @Test
    void once_registries_hostsTomlPerHost_ctrPullsBothThroughCache_cleanupRemovesBoth() throws IOException {
        UpstreamRegistry ghcr = closer.register(UpstreamRegistry.start());
        Image base = TestImages.small("registries-base");
        Image tool = TestImages.small("registries-tool");
        TestImages.push(base, upstream.hostPort(), "library/base", "1");
        TestImages.push(tool, ghcr.hostPort(), "owner/tool", "1");
        String registries = "ghcr.io=" + ghcr.url();
        CacheProcess registriesCache = closer.register(CacheProcess.of(upstream.url())
                .env("DOCKER_CACHE_REGISTRIES", registries).start());
        try (NodeRoot node = NodeRoot.create()) {
            NodeContainerd containerd = NodeContainerd.start(node);
            DistributorProcess distributor = DistributorProcess.of(node.path(), registriesCache.hostPort())
                    .env("DOCKER_CACHE_REGISTRIES", registries);

            DistributorProcess.Result once = distributor.once();

            assertEquals(0, once.exitCode(), once::toString);
            assertEquals(List.of("docker.io", "ghcr.io"), containerd.hostDirs(), "one hosts.toml per host");
            String hub = Files.readString(containerd.hostsToml("docker.io"));
            String ghcrToml = Files.readString(containerd.hostsToml("ghcr.io"));
            assertTrue(hub.contains("server = \"https://registry-1.docker.io\"")
                    && hub.contains("[host.\"" + registriesCache.url() + "\"]"), hub);
            assertTrue(ghcrToml.contains("server = \"" + ghcr.url() + "\"")
                    && ghcrToml.contains("[host.\"" + registriesCache.url() + "\"]"), ghcrToml);

            containerd.pull("ghcr.io/owner/tool:1", registriesCache);
            containerd.pull("docker.io/library/base:1", registriesCache);

            // The cache's own requests carry no containerd User-Agent.
            List<String> direct = Files.readAllLines(ghcr.log()).stream()
                    .filter(line -> line.contains("containerd/")).toList();
            assertEquals(List.of(), direct, () -> "containerd fell back to U2 itself instead of the mirror; the cache's log:\n"
                    + registriesCache.logTail());

            for (Image pulled : List.of(tool, base)) {
                for (Descriptor blob : pulled.blobs()) {
                    assertEquals(blob.digest(), containerd.contentSha256(blob.digest()), () -> "containerd's copy of " + blob);
                }
                ImageAssertions.awaitFiles(Duration.ofSeconds(10),
                        pulled.blobs().stream().map(blob -> registriesCache.blobData(blob.digest())).toList());
            }

            DistributorProcess.Result cleanup = distributor.cleanup();

            assertEquals(0, cleanup.exitCode(), cleanup::toString);
            assertEquals(List.of(), containerd.hostDirs(), "both hosts.toml removed with their directories");
            containerd.close();
        }
    }

    @Test
    void once_badRegistries_stopsAtStartNamingTheKeyAndEntry_nothingWritten() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.resolve("etc/containerd"));

            DistributorProcess.Result once = DistributorProcess.of(node.path(), cache.hostPort())
                    .env("DOCKER_CACHE_REGISTRIES", "ghcr.io=ftp://ghcr.io").once();

            assertNotEquals(0, once.exitCode(), once::toString);
            assertTrue(once.output().contains("docker_cache_registries: \"ghcr.io\""), once::toString);
            try (Stream<Path> files = Files.list(node.resolve("etc/containerd"))) {
                assertEquals(0, files.count(), "nothing written");
            }
        }
    }

    /** The node's containerd: its config.toml under the node root, config_path set, own socket. */
    private record NodeContainerd(Path etc, Path socket, ChildProcess process) implements AutoCloseable {

        static NodeContainerd start(NodeRoot node) throws IOException {
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
            ChildProcess process = closer.register(ChildProcess.start("containerd " + node, List.of(
                    Tools.containerd().toString(), "--config", etc.resolve("config.toml").toString()),
                    Map.of(), WorkDir.create("node-containerd-log").resolve("containerd.log")));
            NodeContainerd containerd = new NodeContainerd(etc, socket, process);
            Await.until(Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("containerd exited at start:\n" + process.logTail());
                }
                return containerd.ctr(Duration.ofSeconds(10), "version").exitCode() == 0;
            }, () -> "containerd is not ready:\n" + process.logTail());
            return containerd;
        }

        Path hostsToml(String host) {
            return etc.resolve("certs.d").resolve(host).resolve("hosts.toml");
        }

        /** The directories of certs.d, sorted (none when certs.d is gone). */
        List<String> hostDirs() throws IOException {
            if (!Files.isDirectory(etc.resolve("certs.d"))) {
                return List.of();
            }
            try (Stream<Path> dirs = Files.list(etc.resolve("certs.d"))) {
                return dirs.map(d -> d.getFileName().toString()).sorted().toList();
            }
        }

        /** {@code ctr images pull --hosts-dir <node>/etc/containerd/certs.d ref}. */
        void pull(String ref) {
            pull(ref, null);
        }

        /** As {@link #pull(String)}; a failure message carries the cache's log too. */
        void pull(String ref, CacheProcess through) {
            Command.Result pull = ctr(Duration.ofMinutes(5), "images", "pull", "--hosts-dir", etc.resolve("certs.d"), ref);
            if (pull.exitCode() != 0) {
                throw new AssertionError("ctr images pull " + ref + " failed:\n" + pull.tail()
                        + "\n--- containerd ---\n" + process.logTail()
                        + (through == null ? "" : "\n--- cache ---\n" + through.logTail()));
            }
        }

        /** SHA-256 of {@code ctr content get digest}, streamed. */
        String contentSha256(String digest) throws IOException {
            Process get = new ProcessBuilder(Tools.ctr().toString(), "--address", socket.toString(),
                    "content", "get", digest).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String sha256;
            try (InputStream out = get.getInputStream()) {
                sha256 = Sha256.of(out);
            }
            try {
                if (!get.waitFor(60, TimeUnit.SECONDS) || get.exitValue() != 0) {
                    get.destroyForcibly();
                    throw new AssertionError("ctr content get " + digest + " failed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return sha256;
        }

        Command.Result ctr(Duration timeout, Object... args) {
            List<Object> command = new ArrayList<>(List.of(Tools.ctr(), "--address", socket));
            command.addAll(List.of(args));
            return Command.tryRun(timeout, command.toArray());
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
