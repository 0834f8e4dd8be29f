package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The storage lifecycle against the packaged cache and a real upstream (DESIGN.md §3a): the byte
 * cap evicts the least recently used image, manifest pulls keep their layers alive past the idle
 * limit, damaged bytes at rest are never served, and a kill -9 mid-fill leaves nothing partial.
 * Every test ends with the store's invariants checked.
 */
@ExtendWith(PrintLogsOnFailure.class)
class StorageLifecycleIT {

    private static final long MIB = 1L << 20;
    private static final Closer closer = new Closer();
    private static RegistryClient upstream;
    private static FaultProxy upstreamProxy;
    private CacheProcess cache;

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        upstreamProxy = closer.register(FaultProxy.start(registry.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void checkStoreAndStop() {
        upstreamProxy.clearFaults();
        if (cache != null) {
            try {
                StoreInvariants.check(cache);
            } finally {
                cache.close();
            }
        }
    }

    @Test
    void overTheCap_leastRecentlyUsedImageGoes_sharedLayerAndRecentImagesStayWarm() {
        RandomFile shared = TestImages.randomFile("cap-shared", 2 * MIB, 71);
        Image a = SyntheticImage.push(upstream, "cap/a", "1", shared, TestImages.randomFile("cap-a", 18 * MIB, 72));
        Image b = SyntheticImage.push(upstream, "cap/b", "1", shared, TestImages.randomFile("cap-b", 18 * MIB, 73));
        Image c = SyntheticImage.push(upstream, "cap/c", "1", TestImages.randomFile("cap-c", 20 * MIB, 74));
        cache = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_MAX_SIZE", "50MiB")
                .env("DOCKER_CACHE_EVICTION_GRACE", "0")
                .start();
        RegistryClient client = new RegistryClient(cache.url());

        ImageAssertions.assertPulls(client, "cap/a", "1", a);
        ImageAssertions.assertPulls(client, "cap/b", "1", b);
        ImageAssertions.assertPulls(client, "cap/c", "1", c);

        Await.until(Duration.ofSeconds(20), () -> StoreInvariants.storedBytes(cache.root()) <= 50 * MIB,
                () -> "still " + StoreInvariants.storedBytes(cache.root()) + " bytes stored over a 50 MiB cap");
        assertFalse(Files.exists(cache.blobData(a.layers().get(1).digest())), "a's own layer is gone");
        assertFalse(Files.exists(cache.blobData(a.manifest().digest())), "a's manifest is gone");
        assertTrue(Files.exists(cache.blobData(shared.digest())), "the layer b shares stays");
        for (Image kept : new Image[] {b, c}) {
            for (Descriptor blob : kept.blobs()) {
                assertTrue(Files.exists(cache.blobData(blob.digest())), "kept: " + blob);
            }
        }
        assertTrue(Metrics.required(cache, "docker_cache_evictions_total", "reason=\"size\"") >= 3);

        upstreamProxy.requests().reset();
        ImageAssertions.assertPulls(client, "cap/b", "1", b);
        ImageAssertions.assertPulls(client, "cap/c", "1", c);
        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "recent images are served warm: " + upstreamProxy.requests());

        ImageAssertions.assertPulls(client, "cap/a", "1", a);
        assertTrue(upstreamProxy.requests().count("GET", "/blobs/" + a.layers().get(1).digest()) == 1,
                () -> "the evicted image is a plain miss: " + upstreamProxy.requests());
    }

    @Test
    void manifestPulledAlone_keepsItsLayersPastMaxIdle_untouchedImageGoes() {
        Image kept = SyntheticImage.push(upstream, "idle/kept", "1", TestImages.randomFile("idle-k", MIB, 81));
        Image idle = SyntheticImage.push(upstream, "idle/idle", "1", TestImages.randomFile("idle-i", MIB, 82));
        cache = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_MAX_IDLE", "6s")
                .env("DOCKER_CACHE_EVICTION_INTERVAL", "1s")
                .env("DOCKER_CACHE_EVICTION_GRACE", "0")
                .start();
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertPulls(client, "idle/kept", "1", kept);
        ImageAssertions.assertPulls(client, "idle/idle", "1", idle);

        // A node that holds the layers only asks for the manifest, every 1.5 s, for 10.5 s.
        for (int i = 0; i < 7; i++) {
            Await.sleep(Duration.ofMillis(1500));
            assertEquals(200, client.manifest("idle/kept", "1").status());
        }

        // The untouched image has been idle for 10.5 s, past 6 s and a 1 s interval: gone by now.
        assertFalse(Files.exists(cache.blobData(idle.layers().get(0).digest())),
                "the untouched image's layer is still stored after its idle limit");
        assertFalse(Files.exists(cache.blobData(idle.manifest().digest())));
        for (Descriptor blob : kept.blobs()) {
            assertTrue(Files.exists(cache.blobData(blob.digest())), "kept by its manifest's pulls: " + blob);
        }
        ImageAssertions.assertPulls(client, "idle/kept", "1", kept);
        ImageAssertions.assertPulls(client, "idle/idle", "1", idle);
        assertTrue(Metrics.required(cache, "docker_cache_evictions_total", "reason=\"idle\"") >= 1);
    }

    @Test
    void truncatedOnDisk_neverServedShort_fetchedAgain() throws IOException {
        Image image = SyntheticImage.push(upstream, "damage/cut", "1", TestImages.randomFile("damage-cut", 4 * MIB, 91));
        cache = CacheProcess.of(upstreamProxy.url()).start();
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertPulls(client, "damage/cut", "1", image);
        Descriptor layer = image.layers().get(0);
        Path data = cache.blobData(layer.digest());
        try (RandomAccessFile file = new RandomAccessFile(data.toFile(), "rw")) {
            file.setLength(layer.size() / 2);
        }

        assertEquals(200, client.manifest("damage/cut", "1").status());
        ImageAssertions.assertBlob(client, "damage/cut", layer);

        ImageAssertions.awaitFiles(Duration.ofSeconds(10), java.util.List.of(data));
        Await.until(Duration.ofSeconds(10), () -> Sha256.of(data).equals(layer.digest()),
                () -> "the damaged blob was not stored whole again");
        assertEquals(1.0, Metrics.required(cache, "docker_cache_evictions_total", "reason=\"damaged\""));

        cache.stop();
        try (RandomAccessFile file = new RandomAccessFile(data.toFile(), "rw")) {
            file.setLength(layer.size() - 1);
        }
        cache.restart();
        Await.until(Duration.ofSeconds(10), () -> Metrics.sample(cache, "docker_cache_storage_bytes").isPresent(),
                () -> "the first lifecycle run after the restart did not finish");
        ImageAssertions.assertBlob(client, "damage/cut", layer);
    }

    @Test
    void manifestGivingAWrongSizeForALayer_neverRemovesTheIntactStoredLayer() {
        RandomFile shared = TestImages.randomFile("damage-liar", MIB, 97);
        Image honest = SyntheticImage.push(upstream, "damage/honest", "1", shared);
        upstream.pushBlob("damage/liar", shared.path(), shared.digest());
        byte[] lying = new String(honest.manifestBytes(), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"size\":" + shared.size(), "\"size\":" + (shared.size() + 1))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        upstream.pushBlob("damage/liar", SyntheticImage.configBytes("damage/honest", "1"));
        cache = CacheProcess.of(upstreamProxy.url()).env("DOCKER_CACHE_SCRUB_RATE", "0").start();
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertPulls(client, "damage/honest", "1", honest);
        cache.restart(); // nothing verified in this process: only sizes from manifests are known
        Await.until(Duration.ofSeconds(20), () -> Metrics.sample(cache, "docker_cache_storage_bytes").isPresent(),
                () -> "the first lifecycle run after the restart did not finish");
        String liar = upstream.pushManifest("damage/liar", "1", SyntheticImage.MEDIA_TYPE, lying);
        assertEquals(200, client.manifest("damage/liar", "1").status(), "the lying manifest is served as it is");
        upstreamProxy.requests().reset();

        ImageAssertions.assertBlob(client, "damage/honest", new Descriptor(shared.digest(), shared.size()));

        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "an intact blob was removed over another manifest's size: " + upstreamProxy.requests());
        assertEquals(0.0, Metrics.required(cache, "docker_cache_evictions_total", "reason=\"damaged\""));
        assertTrue(liar.startsWith("sha256:"));
    }

    @Test
    void flippedByteWhileDown_caughtByTheFirstServeAfterRestart_neverACleanResponse() throws IOException {
        Image image = SyntheticImage.push(upstream, "damage/down", "1", TestImages.randomFile("damage-down", 3 * MIB, 96));
        cache = CacheProcess.of(upstreamProxy.url()).env("DOCKER_CACHE_SCRUB_RATE", "0").start();
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertPulls(client, "damage/down", "1", image);
        Descriptor layer = image.layers().get(0);
        Path data = cache.blobData(layer.digest());
        cache.stop();
        flipByte(data, layer.size() - 10);
        cache.restart();

        Download first = client.blob("damage/down", layer.digest());

        assertFalse(first.status() == 200 && first.failure() == null,
                () -> "a blob damaged at rest was served as a clean response: " + first);
        Await.until(Duration.ofSeconds(10), () -> !Files.exists(data) || Sha256.of(data).equals(layer.digest()),
                () -> "the damaged blob is still stored");
        ImageAssertions.assertBlob(client, "damage/down", layer);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), java.util.List.of(data));
        upstreamProxy.requests().reset();
        ImageAssertions.assertBlob(client, "damage/down", layer);
        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"), "verified once, then a plain hit");
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xff);
        }
    }

    @Test
    void flippedByteAtRest_foundByTheScrubWithoutRestart_fetchedAgain() throws IOException {
        Image image = SyntheticImage.push(upstream, "damage/flip", "1", TestImages.randomFile("damage-flip", 2 * MIB, 95));
        cache = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_SCRUB_RATE", "200MiB/s")
                .env("DOCKER_CACHE_EVICTION_INTERVAL", "1s")
                .start();
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertPulls(client, "damage/flip", "1", image);
        Descriptor layer = image.layers().get(0);
        Path data = cache.blobData(layer.digest());
        flipByte(data, layer.size() / 3);

        Await.until(Duration.ofSeconds(20), () -> !Files.exists(data),
                () -> "the scrub did not remove the blob with a flipped byte");
        assertTrue(Metrics.required(cache, "docker_cache_scrubbed_bytes_total") >= layer.size());
        assertEquals(1.0, Metrics.required(cache, "docker_cache_evictions_total", "reason=\"damaged\""));
        ImageAssertions.assertBlob(client, "damage/flip", layer);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), java.util.List.of(data));
    }

    @Test
    void killDuringSlowFill_nothingPartialAfterRestart_committedServedWithoutUpstream() {
        Image image = SyntheticImage.push(upstream, "crash/slow", "1",
                TestImages.randomFile("crash-small", MIB, 101), TestImages.randomFile("crash-big", 16 * MIB, 102));
        cache = CacheProcess.of(upstreamProxy.url()).start();
        RegistryClient client = new RegistryClient(cache.url());
        Descriptor small = image.layers().get(0);
        Descriptor big = image.layers().get(1);
        assertEquals(200, client.manifest("crash/slow", "1").status());
        ImageAssertions.assertBlob(client, "crash/slow", small);
        upstreamProxy.inject(Fault.throttle("/blobs/" + big.digest(), 2 * MIB));

        CompletableFuture<Download> interrupted = CompletableFuture.supplyAsync(
                () -> client.blob("crash/slow", big.digest()));
        Await.until(Duration.ofSeconds(20), () -> !StoreInvariants.stagingLeftovers(cache.root()).isEmpty(),
                () -> "the slow fill never started");
        Await.sleep(Duration.ofSeconds(2));
        cache.kill();
        Download cut = interrupted.join();
        assertFalse(cut.isComplete(big.digest(), big.size()), "the killed fill cannot have completed: " + cut);

        upstreamProxy.clearFaults();
        cache.restart();
        assertEquals(java.util.List.of(), StoreInvariants.stagingLeftovers(cache.root()), "swept at start");
        assertFalse(Files.exists(cache.blobData(big.digest())), "no partial blob was committed");
        upstreamProxy.requests().reset();
        ImageAssertions.assertManifest(client, "crash/slow", "1", image.manifest(), image.mediaType());
        ImageAssertions.assertBlob(client, "crash/slow", small);
        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "committed content is served without the upstream: " + upstreamProxy.requests());
        ImageAssertions.assertBlob(client, "crash/slow", big);
    }
}
