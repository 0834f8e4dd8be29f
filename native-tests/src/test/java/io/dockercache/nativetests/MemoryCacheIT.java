package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hot manifests and tags in memory ({@code docker_cache_memory_cache_size}, issue 11), against the
 * packaged cache and a real upstream: a warm tag within its TTL and a warm digest are answered
 * without reading storage (shown by taking the manifest's files away behind the cache's back,
 * with the upstream failing, where a cache without memory cannot answer), and memory never
 * serves what eviction removed or what a tag named before it moved upstream.
 */
@ExtendWith(PrintLogsOnFailure.class)
class MemoryCacheIT {

    private static final long KIB = 1024;
    private static final Closer closer = new Closer();
    private static RegistryClient upstream;
    private static FaultProxy proxy;
    private static CacheProcess warm;
    private static CacheProcess off;
    private CacheProcess own;

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        proxy = closer.register(FaultProxy.start(registry.url()));
        warm = closer.register(CacheProcess.of(proxy.url()).tagTtlSeconds(60).start());
        off = closer.register(CacheProcess.of(proxy.url()).tagTtlSeconds(60)
                .env("DOCKER_CACHE_MEMORY_CACHE_SIZE", "0").start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void healAndCheckTheStores() {
        proxy.clearFaults();
        try {
            StoreInvariants.check(warm);
            StoreInvariants.check(off);
            if (own != null) {
                StoreInvariants.check(own);
            }
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    @Test
    void warmTagAndDigest_withinTtl_answeredFromMemory_withTheManifestsFilesGone() {
        Image image = SyntheticImage.push(upstream, "mem/hidden", "1", TestImages.randomFile("mem-hidden", 8 * KIB, 301));
        for (CacheProcess cache : new CacheProcess[] {warm, off}) {
            RegistryClient client = new RegistryClient(cache.url());
            assertServes(client, "mem/hidden", "1", image);
            assertServes(client, "mem/hidden", image.manifest().digest(), image);
        }
        List<Path[]> warmMoved = hideManifest(warm.root(), "mem/hidden", "1", image);
        List<Path[]> offMoved = hideManifest(off.root(), "mem/hidden", "1", image);
        try {
            proxy.inject(Fault.status("/manifests/", 503));
            proxy.requests().reset();

            RegistryClient client = new RegistryClient(warm.url());
            for (int i = 0; i < 3; i++) {
                assertServes(client, "mem/hidden", "1", image);
                assertServes(client, "mem/hidden", image.manifest().digest(), image);
                RegistryResponse head = client.head("/v2/mem/hidden/manifests/1", "Accept", RegistryClient.ALL_MANIFEST_TYPES);
                assertEquals(200, head.status(), head::describe);
                assertEquals(image.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);
                assertEquals(Long.toString(image.manifest().size()), head.header("Content-Length"), head::describe);
            }
            assertEquals(0, proxy.requests().all().size(),
                    () -> "warm manifests within the TTL asked the upstream: " + proxy.requests());
            assertTrue(Metrics.required(warm, "docker_cache_memory_hits_total") >= 9);
            assertTrue(Metrics.required(warm, "docker_cache_memory_bytes") >= image.manifest().size());

            // The control: the same request without memory reads storage, which no longer has it.
            RegistryClient noMemory = new RegistryClient(off.url());
            RegistryResponse tag = noMemory.manifest("mem/hidden", "1");
            assertNotEquals(200, tag.status(), () -> "without memory the hidden manifest was served: " + tag.describe());
            RegistryResponse digest = noMemory.manifest("mem/hidden", image.manifest().digest());
            assertNotEquals(200, digest.status(), () -> "without memory the hidden manifest was served: " + digest.describe());
            assertEquals(0, Metrics.required(off, "docker_cache_memory_hits_total"));
        } finally {
            restore(warmMoved);
            restore(offMoved);
        }
    }

    @Test
    void evictedManifest_leavesMemory_theNextRequestIsAMiss() {
        Image image = SyntheticImage.push(upstream, "mem/evicted", "1", TestImages.randomFile("mem-evicted", 16 * KIB, 302));
        own = CacheProcess.of(proxy.url()).tagTtlSeconds(600)
                .env("DOCKER_CACHE_MAX_IDLE", "3s")
                .env("DOCKER_CACHE_EVICTION_INTERVAL", "1s")
                .env("DOCKER_CACHE_EVICTION_GRACE", "0")
                .start();
        RegistryClient client = new RegistryClient(own.url());
        assertServes(client, "mem/evicted", "1", image);
        assertServes(client, "mem/evicted", image.manifest().digest(), image);
        assertServes(client, "mem/evicted", "1", image);

        // Untouched past its idle limit: the lifecycle removes the image from storage.
        Path manifestData = own.blobData(image.manifest().digest());
        Await.until(Duration.ofSeconds(30), () -> !Files.exists(manifestData),
                () -> "the idle image's manifest is still stored: " + manifestData);
        proxy.inject(Fault.status("/manifests/", 503));
        proxy.requests().reset();

        // Memory would still answer both within the tag's 600 s TTL; storage has neither now.
        RegistryResponse tag = client.manifest("mem/evicted", "1");
        assertNotEquals(200, tag.status(), () -> "the evicted tag was served: " + tag.describe());
        RegistryResponse digest = client.manifest("mem/evicted", image.manifest().digest());
        assertNotEquals(200, digest.status(), () -> "the evicted manifest was served: " + digest.describe());
        assertTrue(proxy.requests().count("/manifests/") >= 2,
                () -> "the evicted manifest was not asked of the upstream: " + proxy.requests());

        proxy.clearFaults();
        assertServes(client, "mem/evicted", "1", image);
        assertTrue(Files.exists(manifestData), "fetched and stored again");
    }

    @Test
    void tagMovedUpstream_servedFromMemoryWithinTheTtl_theNewDigestAfterIt_thenWarm() {
        String repo = "mem/moving";
        Image one = SyntheticImage.push(upstream, repo, "1", TestImages.randomFile("mem-one", 4 * KIB, 303));
        own = CacheProcess.of(proxy.url()).tagTtlSeconds(3).start();
        RegistryClient client = new RegistryClient(own.url());
        assertServes(client, repo, "1", one);

        Image two = SyntheticImage.push(upstream, repo, "1", TestImages.randomFile("mem-two", 4 * KIB, 304));
        assertNotEquals(one.manifest().digest(), two.manifest().digest());
        Await.sleep(Duration.ofSeconds(4));

        assertServes(client, repo, "1", two);
        // Within the new TTL, with the upstream failing: the new digest, from memory, not the old one.
        proxy.inject(Fault.status("/manifests/", 503));
        proxy.requests().reset();
        assertServes(client, repo, "1", two);
        assertEquals(0, proxy.requests().all().size(), () -> "not answered from memory: " + proxy.requests());
        Path tagLink = StorageLayout.tagLink(own.root(), repo, "1");
        assertEquals(two.manifest().digest(), read(tagLink), "memory and the stored link agree");
        // The old manifest stays stored and addressable by digest.
        assertServes(client, repo, one.manifest().digest(), one);
    }

    private static void assertServes(RegistryClient client, String repo, String reference, Image image) {
        ImageAssertions.assertManifest(client, repo, reference, image.manifest(), image.mediaType());
    }

    /**
     * Moves the tag's link, the revision link and the manifest's bytes out of the store (beside
     * the cache's root, so the store's byte count is restored with them); returns what went where.
     */
    private static List<Path[]> hideManifest(Path root, String repo, String tag, Image image) {
        String hex = image.manifest().digest().substring("sha256:".length());
        Path revision = root.resolve("docker/registry/v2/repositories").resolve(repo)
                .resolve("_manifests/revisions/sha256").resolve(hex).resolve("link");
        List<Path[]> moved = new ArrayList<>();
        Path aside = root.resolveSibling(root.getFileName() + "-aside");
        int i = 0;
        for (Path file : new Path[] {StorageLayout.tagLink(root, repo, tag), revision,
                StorageLayout.blobData(root, image.manifest().digest())}) {
            assertTrue(Files.exists(file), () -> "not stored: " + file);
            Path to = aside.resolve(Integer.toString(i++));
            move(file, to);
            moved.add(new Path[] {file, to});
        }
        return moved;
    }

    private static void restore(List<Path[]> moved) {
        for (Path[] m : moved) {
            move(m[1], m[0]);
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
