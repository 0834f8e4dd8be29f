package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cache's storage is the distribution registry's layout, both ways: {@code docker-registry}
 * serves what the cache stored (another registry's repositories, {@code ghcr.io/<name>}, too), and
 * the cache serves what {@code docker-registry} (proxy mode) stored.
 */
@ExtendWith(PrintLogsOnFailure.class)
class LayoutCompatibilityIT {

    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(5);
    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Image image;
    private static ImageIndex multi;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("layout");
        multi = TestImages.multiArch();
        TestImages.push(image, upstream.hostPort(), "library/layout", "1");
        TestImages.push(multi, upstream.hostPort(), "library/layout-multi", "1");
        TestImages.push(image, upstream.hostPort(), "library/seeded", "1");
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void registryServesWhatTheCacheStored() {
        Path root;
        // The same registry also stands for ghcr.io: its repositories are stored as ghcr.io/<name>.
        try (CacheProcess cache = CacheProcess.of(upstream.url()).root(WorkDir.create("cache-root"))
                .env("DOCKER_CACHE_REGISTRIES", "ghcr.io=" + upstream.url()).start()) {
            RegistryClient client = new RegistryClient(cache.url());
            ImageAssertions.assertPulls(client, "library/layout", "1", image);
            ImageAssertions.assertPulls(client, "ghcr.io/library/layout", "1", image);
            ImageAssertions.assertPulls(client, "library/layout-multi", "1", multi);
            root = cache.root();
            ImageAssertions.awaitFiles(Duration.ofSeconds(10), blobFiles(root, image, multi));
        }

        try (UpstreamRegistry registry = UpstreamRegistry.serving(root)) {
            RegistryClient client = new RegistryClient(registry.url());
            ImageAssertions.assertPulls(client, "library/layout", "1", image);
            ImageAssertions.assertPulls(client, "library/layout-multi", "1", multi);
            ImageAssertions.assertPulls(client, "ghcr.io/library/layout", "1", image);
            Path out = WorkDir.create("layout-copy").resolve("oci");
            Command.run(COPY_TIMEOUT, Tools.skopeo(), "--insecure-policy", "copy", "--src-tls-verify=false",
                    "--preserve-digests", "docker://" + registry.hostPort() + "/library/layout:1", "oci:" + out + ":x");
            assertEquals(image.manifest(), Image.read(out, "x").manifest(), "what skopeo copied from docker-registry");
        }
        WorkDir.deleteTree(root);
    }

    @Test
    void cacheServesWhatRegistryProxyStored_withTheUpstreamUnreachable() {
        Path root = WorkDir.create("proxy-root");
        try (UpstreamRegistry proxy = UpstreamRegistry.proxyOf(upstream.url(), root)) {
            ImageAssertions.assertPulls(new RegistryClient(proxy.url()), "library/seeded", "1", image);
            // docker-registry's proxy stores blobs in the background: wait for every file it writes.
            List<Path> files = blobFiles(root, image);
            files.add(StorageLayout.tagLink(root, "library/seeded", "1"));
            ImageAssertions.awaitFiles(Duration.ofSeconds(30), files);
        }

        String unreachable = "http://127.0.0.1:" + FreePort.next();
        try (CacheProcess cache = CacheProcess.of(unreachable).root(root).start()) {
            RegistryClient client = new RegistryClient(cache.url());
            ImageAssertions.assertPulls(client, "library/seeded", "1", image);
            Path out = WorkDir.create("seeded-copy").resolve("oci");
            Command.run(COPY_TIMEOUT, Tools.skopeo(), "--insecure-policy", "copy", "--src-tls-verify=false",
                    "--preserve-digests", "docker://" + cache.hostPort() + "/library/seeded:1", "oci:" + out + ":x");
            assertEquals(image.manifest(), Image.read(out, "x").manifest(), "what skopeo copied from the cache");
        }
        WorkDir.deleteTree(root);
    }

    /** The {@code data} files of every manifest and blob of these images under a storage root. */
    private static List<Path> blobFiles(Path root, Object... images) {
        List<Descriptor> blobs = new ArrayList<>();
        for (Object each : images) {
            if (each instanceof Image single) {
                blobs.add(single.manifest());
                blobs.addAll(single.blobs());
            } else if (each instanceof ImageIndex index) {
                blobs.add(index.index());
                index.images().forEach(i -> {
                    blobs.add(i.manifest());
                    blobs.addAll(i.blobs());
                });
            }
        }
        List<Path> files = new ArrayList<>();
        for (Descriptor blob : blobs) {
            files.add(StorageLayout.blobData(root, blob.digest()));
        }
        return files;
    }
}
