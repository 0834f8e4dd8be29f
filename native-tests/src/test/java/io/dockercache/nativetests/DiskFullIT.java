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
