package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code kill -9} of the cache while it writes manifests and links, and while an eviction run
 * removes them (matrix D2; a kill mid-fill is in {@link StorageLifecycleIT}). What a crash leaves
 * is checked before the restart as well as after it: no zero-byte or dangling link, no tag naming
 * a missing revision, nothing half-written in the layout; after the restart the staging area is
 * swept and what was committed is served whole without the upstream.
 *
 * <p>Which window a kill hits is shown, not assumed: the manifest test kills only once a staging
 * file exists (a small write is staged, fsynced, then renamed) and requires that one is still
 * there after the kill, i.e. that the process died with a write under way; the eviction test kills
 * once the run has removed a first revision and requires the store still over its cap, i.e. the
 * run had not reached the blobs it must remove.
 */
@ExtendWith(PrintLogsOnFailure.class)
class CrashConsistencyIT {

    private static final int TAGS_PER_ROUND = 60;
    private static final int ROUNDS = 4;
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
        upstreamProxy.resume();
        upstreamProxy.clearFaults();
        if (cache != null) {
            try {
                StoreInvariants.check(cache);
                StoreInvariants.assertLayoutWhole(cache.root());
            } finally {
                cache.close();
            }
        }
    }

    @Test
    void killWhileManyManifestsAndLinksAreWritten_layoutWhole_committedServedWithoutUpstream() {
        RandomFile layer = TestImages.randomFile("crash-links", 4096, 111);
        List<String> tags = new ArrayList<>();
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < TAGS_PER_ROUND * ROUNDS; i++) {
            tags.add("t" + i);
            images.add(SyntheticImage.push(upstream, "crash/links", "t" + i, layer));
        }
        cache = CacheProcess.of(upstreamProxy.url()).tagTtlSeconds(3600).start();
        RegistryClient client = new RegistryClient(cache.url());

        boolean hit = false;
        int round = 0;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            while (!hit && round < ROUNDS) {
                List<String> roundTags = tags.subList(round * TAGS_PER_ROUND, (round + 1) * TAGS_PER_ROUND);
                round++;
                List<CompletableFuture<RegistryResponse>> pulls = new ArrayList<>();
                for (String tag : roundTags) {
                    pulls.add(CompletableFuture.supplyAsync(() -> client.manifest("crash/links", tag), pool)
                            .exceptionally(e -> null));
                }
                // A third of the round answered, then kill as soon as a small write is under way:
                // its staging file exists from its creation until its rename.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (pulls.stream().filter(CompletableFuture::isDone).count() < TAGS_PER_ROUND / 3
                        && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                while (StoreInvariants.stagingLeftovers(cache.root()).isEmpty()
                        && !pulls.stream().allMatch(CompletableFuture::isDone) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                cache.kill();
                // Still there with the process gone: the kill landed inside a write, before its commit.
                hit = !StoreInvariants.stagingLeftovers(cache.root()).isEmpty();
                pulls.forEach(CompletableFuture::join);
                StoreInvariants.assertLayoutWhole(cache.root());
                cache.restart();
                assertEquals(List.of(), StoreInvariants.stagingLeftovers(cache.root()), "swept at start");
            }
        } finally {
            pool.shutdownNow();
        }
        int rounds = round;
        assertTrue(hit, () -> "in " + rounds + " rounds of " + TAGS_PER_ROUND
                + " concurrent manifest fills no kill landed inside a write (no staging file survived it)");

        StoreInvariants.assertLayoutWhole(cache.root());
        upstreamProxy.stop();
        int committed = 0;
        for (int i = 0; i < tags.size(); i++) {
            if (Files.isRegularFile(StorageLayout.tagLink(cache.root(), "crash/links", tags.get(i)))) {
                committed++;
                Image image = images.get(i);
                ImageAssertions.assertManifest(client, "crash/links", tags.get(i), image.manifest(), image.mediaType());
            }
        }
        assertTrue(committed > 0, "some tags were committed before the kill");
        upstreamProxy.resume();
        for (int i = 0; i < tags.size(); i++) {
            ImageAssertions.assertPulls(client, "crash/links", tags.get(i), images.get(i));
        }
    }

    @Test
    void killDuringAnEvictionRun_layoutWhole_restartFinishesIt_survivorsServedWithoutUpstream() {
        Path root = WorkDir.create("crash-evict-root");
        closer.register(() -> WorkDir.deleteTree(root));
        List<StoredImages.Stored> old = StoredImages.write(root, "old", 3000, 2048, 121);
        long oldBytes = StoreInvariants.storedBytes(root);
        long cap = oldBytes + (1 << 20);
        Image trigger = SyntheticImage.push(upstream, "crash/trigger", "1",
                TestImages.randomFile("crash-trigger", 6L << 20, 122));
        cache = CacheProcess.of(upstreamProxy.url()).root(root).tagTtlSeconds(3600)
                .env("DOCKER_CACHE_MAX_SIZE", Long.toString(cap))
                .env("DOCKER_CACHE_EVICTION_GRACE", "0")
                .env("DOCKER_CACHE_SCRUB_RATE", "0")
                .start();
        RegistryClient client = new RegistryClient(cache.url());
        Await.until(Duration.ofSeconds(20), () -> Metrics.sample(cache, "docker_cache_storage_bytes").filter(b -> b > 0).isPresent(),
                () -> "the first lifecycle run did not finish");
        assertEquals(oldBytes, StoreInvariants.storedBytes(root), "under the cap at start: nothing removed");
        List<Path> watched = new ArrayList<>();
        for (int i = 0; i < old.size(); i += 15) {
            watched.add(StorageLayout.tagLink(root, old.get(i).repository(), "1"));
        }

        ImageAssertions.assertManifest(client, "crash/trigger", "1", trigger.manifest(), trigger.mediaType());
        ImageAssertions.assertBlob(client, "crash/trigger", trigger.config());

        // The layer commits 6 MiB more, over the cap: a run starts and removes old images, tags first.
        CompletableFuture<Download> layer = CompletableFuture.supplyAsync(
                () -> client.blob("crash/trigger", trigger.layers().get(0).digest()));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (watched.stream().allMatch(Files::exists) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        cache.kill();
        assertTrue(layer.join().isComplete(trigger.layers().get(0).digest(), trigger.layers().get(0).size()),
                "the layer was served whole before its commit started the run");
        long atKill = StoreInvariants.storedBytes(root);
        long goneAtKill = watched.stream().filter(p -> !Files.exists(p)).count();
        StoreInvariants.assertLayoutWhole(root);
        assertTrue(atKill > cap, () -> "the run had finished before the kill (" + atKill + " bytes stored, cap "
                + cap + "): the kill did not land inside it");

        cache.restart();
        assertEquals(List.of(), StoreInvariants.stagingLeftovers(root), "swept at start");
        Await.until(Duration.ofSeconds(30), () -> StoreInvariants.storedBytes(root) <= cap,
                () -> "the run after the restart did not finish the eviction: " + StoreInvariants.storedBytes(root));
        StoreInvariants.assertLayoutWhole(root);
        upstreamProxy.stop();
        // The kill lost the uses since the access records were last saved (a minute at most): after
        // the restart the trigger image counts as no more recent than the old ones, and may go too.
        boolean triggerKept = Files.isRegularFile(StorageLayout.tagLink(root, "crash/trigger", "1"));
        if (triggerKept) {
            ImageAssertions.assertPulls(client, "crash/trigger", "1", trigger);
        }
        int survivors = 0;
        for (StoredImages.Stored image : old) {
            if (Files.isRegularFile(StorageLayout.tagLink(root, image.repository(), "1")) && survivors++ < 50) {
                RegistryResponse manifest = client.manifest(image.repository(), "1");
                assertEquals(200, manifest.status(), manifest::describe);
                assertEquals(image.manifest().digest(), Sha256.of(manifest.body()), manifest::describe);
                for (Descriptor blob : image.blobs()) {
                    ImageAssertions.assertBlob(client, image.repository(), blob);
                }
            }
        }
        int kept = survivors;
        assertTrue(kept > 0 && goneAtKill > 0, () -> "survivors " + kept + ", watched tags gone at the kill "
                + goneAtKill);
        upstreamProxy.resume();
        ImageAssertions.assertPulls(client, "crash/trigger", "1", trigger);
        Await.until(Duration.ofSeconds(30), () -> StoreInvariants.storedBytes(root) <= cap,
                () -> "the run after the trigger's pull did not finish: " + StoreInvariants.storedBytes(root));
    }
}
