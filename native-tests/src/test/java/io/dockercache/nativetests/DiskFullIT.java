package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full disk never fails a pull (DESIGN.md §3a): with the storage root on a 40 MiB tmpfs, a 48 MiB
 * layer is sent through verified and uncached, cached images are still served, readiness stays
 * up, and once the filesystem has room again the next miss caches without a restart.
 */
@ExtendWith(PrintLogsOnFailure.class)
class DiskFullIT {

    private static final long MIB = 1L << 20;
    private static final Closer closer = new Closer();
    private static RegistryClient upstream;
    private static FaultProxy upstreamProxy;

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

    @Test
    void pullBiggerThanTheFreeSpace_servedVerifiedUncached_cachedOnceSpaceReturns() {
        Image small = SyntheticImage.push(upstream, "full/small", "1", TestImages.randomFile("full-small", MIB, 111));
        Image big = SyntheticImage.push(upstream, "full/big", "1", TestImages.randomFile("full-big", 48 * MIB, 112));
        Path mount = WorkDir.create("tmpfs");
        Command.Result mounted = Command.tryRun(Duration.ofSeconds(20), "mount", "-t", "tmpfs", "-o", "size=40m",
                "tmpfs", mount);
        if (mounted.exitCode() != 0) {
            throw new AssertionError("this test mounts a 40 MiB tmpfs as the storage root and needs root for it"
                    + " (`mount -t tmpfs -o size=40m tmpfs DIR`): " + mounted.tail());
        }
        try (CacheProcess cache = CacheProcess.of(upstreamProxy.url()).root(mount).start()) {
            RegistryClient client = new RegistryClient(cache.url());
            ImageAssertions.assertPulls(client, "full/small", "1", small);
            Descriptor layer = big.layers().get(0);

            ImageAssertions.assertPulls(client, "full/big", "1", big);

            assertFalse(Files.exists(cache.blobData(layer.digest())), "a blob larger than the room was stored");
            assertEquals(List.of(), StoreInvariants.stagingLeftovers(mount), "staging files left");
            assertTrue(Metrics.required(cache, "docker_cache_storage_write_failures_total") >= 1);
            upstreamProxy.requests().reset();
            ImageAssertions.assertPulls(client, "full/small", "1", small);
            assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"), "cached images are still hits");
            assertTrue(cache.isReady(), "readiness stays up on a full disk");

            Command.run(Duration.ofSeconds(20), "mount", "-o", "remount,size=120m", mount);
            ImageAssertions.assertBlob(client, "full/big", layer);
            ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(layer.digest())));
            StoreInvariants.check(cache);
        } finally {
            Command.tryRun(Duration.ofSeconds(20), "umount", "-l", mount);
        }
    }
    @Test
    void diskFillsUpMidFill_oneClientGetsEveryVerifiedByte_othersAreResetNeverShort_nothingStored() {
        Image big = SyntheticImage.push(upstream, "full/mid", "1", TestImages.randomFile("full-mid", 32 * MIB, 113));
        Descriptor layer = big.layers().get(0);
        Path mount = mountTmpfs("64m");
        try (CacheProcess cache = CacheProcess.of(upstreamProxy.url()).root(mount).start()) {
            RegistryClient client = new RegistryClient(cache.url());
            String path = "/v2/full/mid/blobs/" + layer.digest();
            // About 4 s at 8 MiB/s: the disk is filled by someone else while the blob streams.
            upstreamProxy.inject(Fault.throttle("/blobs/" + layer.digest(), 8 * MIB));
            CompletableFuture<Download> first = CompletableFuture.supplyAsync(
                    () -> client.downloadWithin(Duration.ofSeconds(60), path));
            Await.sleep(Duration.ofMillis(300));
            CompletableFuture<Download> second = CompletableFuture.supplyAsync(
                    () -> client.downloadWithin(Duration.ofSeconds(60), path));
            Await.sleep(Duration.ofMillis(1200));
            Command.tryRun(Duration.ofSeconds(20), "dd", "if=/dev/zero", "of=" + mount.resolve("filler"), "bs=1M");

            List<Download> results = List.of(first.join(), second.join());

            long complete = results.stream().filter(d -> d.isComplete(layer.digest(), layer.size())).count();
            assertEquals(1, complete, () -> "exactly one client is fed the rest uncached: " + results);
            for (Download d : results) {
                assertTrue(d.isComplete(layer.digest(), layer.size()) || d.failure() != null && !d.timedOut(),
                        () -> "a client the full disk cut off must be reset, never given a clean short answer: " + d);
            }
            assertFalse(Files.exists(cache.blobData(layer.digest())), "a blob whose write failed was stored");
            assertTrue(Metrics.required(cache, "docker_cache_storage_write_failures_total") >= 1,
                    "the write failure is counted");
            assertTrue(cache.isReady(), "readiness stays up on a full disk");
            Await.until(Duration.ofSeconds(10), () -> StoreInvariants.stagingLeftovers(mount).isEmpty(),
                    () -> "staging files left: " + StoreInvariants.stagingLeftovers(mount));

            upstreamProxy.clearFaults();
            Command.run(Duration.ofSeconds(20), "rm", "-f", mount.resolve("filler"));
            ImageAssertions.assertBlob(client, "full/mid", layer);
            ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(layer.digest())));
            StoreInvariants.check(cache);
        } finally {
            upstreamProxy.clearFaults();
            Command.tryRun(Duration.ofSeconds(20), "umount", "-l", mount);
        }
    }

    /**
     * Matrix D1 for the small writes: with the filesystem full, a manifest that is not stored yet
     * (its data write fails) and a stored manifest pulled by a new tag (its tag links fail) are
     * still served whole, verified and unstored (a full disk never fails a pull); no zero-byte or
     * partial manifest or link is left; cached images stay hits; once there is room the tag is stored.
     */
    @Test
    void diskFullWhileAManifestOrTagLinkIsWritten_servedWholeUnstored_nothingPartial_tagStoredOnceSpaceReturns() {
        Image cached = SyntheticImage.push(upstream, "full/cached", "1", TestImages.randomFile("full-cached", MIB, 114));
        Image fresh = SyntheticImage.push(upstream, "full/manifest", "1", TestImages.randomFile("full-m", 4096, 115));
        Image retag = SyntheticImage.push(upstream, "full/link", "1", TestImages.randomFile("full-l", 4096, 116));
        Path mount = mountTmpfs("16m");
        try (CacheProcess cache = CacheProcess.of(upstreamProxy.url()).root(mount).start()) {
            RegistryClient client = new RegistryClient(cache.url());
            ImageAssertions.assertPulls(client, "full/cached", "1", cached);
            // Stored by digest, so pulling it by its tag only has the tag's links to write.
            ImageAssertions.assertManifest(client, "full/link", retag.manifest().digest(), retag.manifest(),
                    retag.mediaType());
            Command.tryRun(Duration.ofSeconds(20), "dd", "if=/dev/zero", "of=" + mount.resolve("filler"), "bs=64k");
            double failuresBefore = Metrics.required(cache, "docker_cache_storage_write_failures_total");

            assertServedWhole(client, "full/manifest", fresh);
            assertServedWhole(client, "full/link", retag);

            assertTrue(Metrics.required(cache, "docker_cache_storage_write_failures_total") > failuresBefore,
                    "the failed writes are counted");
            StoreInvariants.assertLayoutWhole(mount);
            StoreInvariants.assertHold(mount);
            upstreamProxy.requests().reset();
            ImageAssertions.assertPulls(client, "full/cached", "1", cached);
            assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"), "cached images are still hits");
            assertTrue(cache.isReady(), "readiness stays up on a full disk");

            Command.run(Duration.ofSeconds(20), "rm", "-f", mount.resolve("filler"));
            for (Image image : List.of(fresh, retag)) {
                String repository = image == fresh ? "full/manifest" : "full/link";
                ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());
                Path tag = StorageLayout.tagLink(mount, repository, "1");
                Await.until(Duration.ofSeconds(10), () -> Files.exists(tag), () -> "the tag was never stored: " + tag);
                assertEquals(image.manifest().digest(), readString(tag), "the tag names its manifest");
            }
            upstreamProxy.requests().reset();
            ImageAssertions.assertManifest(client, "full/manifest", "1", fresh.manifest(), fresh.mediaType());
            ImageAssertions.assertManifest(client, "full/link", "1", retag.manifest(), retag.mediaType());
            assertEquals(0, upstreamProxy.requests().count("GET", "/manifests/"),
                    () -> "stored once there is room, the tags are hits: " + upstreamProxy.requests());
            StoreInvariants.assertLayoutWhole(mount);
            StoreInvariants.check(cache);
        } finally {
            Command.tryRun(Duration.ofSeconds(20), "umount", "-l", mount);
        }
    }

    /** 200 with the exact manifest and its media type, within a bound: never an error, a reset or a hang. */
    private static void assertServedWhole(RegistryClient client, String repository, Image image) {
        Download answer = client.downloadWithin(Duration.ofSeconds(30), "/v2/" + repository + "/manifests/1",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertTrue(answer.isComplete(image.manifest().digest(), image.manifest().size()),
                () -> "on a full disk " + repository + ":1 was not served whole: " + answer);
        assertEquals(image.mediaType(), answer.header("Content-Type"), answer::toString);
        assertEquals(image.manifest().digest(), answer.header("Docker-Content-Digest"), answer::toString);
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path mountTmpfs(String size) {
        Path mount = WorkDir.create("tmpfs");
        Command.Result mounted = Command.tryRun(Duration.ofSeconds(20), "mount", "-t", "tmpfs", "-o", "size=" + size,
                "tmpfs", mount);
        if (mounted.exitCode() != 0) {
            throw new AssertionError("this test mounts a " + size + " tmpfs as the storage root and needs root for it"
                    + " (`mount -t tmpfs -o size=" + size + " tmpfs DIR`): " + mounted.tail());
        }
        return mount;
    }
}
