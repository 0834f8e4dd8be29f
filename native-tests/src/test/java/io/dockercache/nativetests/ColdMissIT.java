package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cold misses end with every byte, within a bound, whatever the clients' speeds (issue 10 items 6
 * and 11): a 512 MiB miss followed by a fast, a middling and a slow client through a cache held to
 * {@code -Xmx100m -XX:MaxDirectMemorySize=64m} (it once left a client 1.4 MB short forever, when
 * writes failed for want of direct memory and the response still ended), then a burst of misses of
 * blobs from 1 KiB to 16 MiB, each followed by clients at different speeds.
 */
@ExtendWith(PrintLogsOnFailure.class)
class ColdMissIT {

    private static final long MIB = 1L << 20;
    private static final long LARGE = 512 * MIB;
    private static final Closer closer = new Closer();
    private static final ExecutorService clients = Executors.newCachedThreadPool();
    private static Path dir;
    private static RegistryClient upstream;
    private static Descriptor large;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        dir = WorkDir.create("cold-miss");
        RandomFile file = RandomFile.write(dir.resolve("large.bin"), LARGE, 61);
        upstream.pushBlob("cold/large", file.path(), file.digest());
        large = new Descriptor(file.digest(), file.size());
        delete(file.path());
        cache = closer.register(CacheProcess.of(registry.url())
                .maxHeap("100m")
                .jvmArgs("-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError")
                .start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        closer.close();
        WorkDir.deleteTree(dir);
    }

    @Test
    void largeColdMiss_fastMiddlingAndSlowClients_allGetEveryByte() {
        String url = cache.url() + "/v2/cold/large/blobs/" + large.digest();
        List<Future<Download>> downloads = List.of(
                clients.submit(() -> client.downloadWithin(Duration.ofSeconds(150), "/v2/cold/large/blobs/" + large.digest())),
                clients.submit(() -> SlowReader.download(url, 60 * MIB)),
                clients.submit(() -> SlowReader.download(url, 24 * MIB)));

        for (Future<Download> download : downloads) {
            Download result = await(download, Duration.ofSeconds(150));
            assertTrue(result.isComplete(large.digest(), large.size()), () -> "a client of the 512 MiB miss: " + result);
        }
        assertHealthy();
        ImageAssertions.awaitFiles(Duration.ofSeconds(30), List.of(cache.blobData(large.digest())));
        StoreInvariants.check(cache);
    }

    @Test
    void burstOfColdMisses_smallAndLargeBlobs_clientsAtDifferentSpeeds_allComplete() {
        long[] sizes = {1024, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 256 * 1024, MIB, 3 * MIB + 7, 16 * MIB};
        List<Descriptor> blobs = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            RandomFile file = TestImages.randomFile("cold-burst-" + i, sizes[i], 700 + i);
            upstream.pushBlob("cold/burst", file.path(), file.digest());
            blobs.add(new Descriptor(file.digest(), file.size()));
        }
        List<Future<Download>> downloads = new ArrayList<>();
        for (Descriptor blob : blobs) {
            String path = "/v2/cold/burst/blobs/" + blob.digest();
            downloads.add(clients.submit(() -> client.downloadWithin(Duration.ofSeconds(60), path)));
            downloads.add(clients.submit(() -> SlowReader.download(cache.url() + path, 8 * MIB)));
            downloads.add(clients.submit(() -> client.downloadWithin(Duration.ofSeconds(60), path)));
        }

        for (int i = 0; i < downloads.size(); i++) {
            Descriptor blob = blobs.get(i / 3);
            Download result = await(downloads.get(i), Duration.ofSeconds(90));
            assertTrue(result.isComplete(blob.digest(), blob.size()),
                    () -> "client of the " + blob.size() + "-byte miss: " + result);
        }
        assertHealthy();
        StoreInvariants.check(cache);
    }

    /**
     * A miss's body bytes are counted whichever way they went out (a plain-HTTP fill sends them
     * with {@code sendfile}, past the response's own byte count): a whole GET and a Range of a
     * cold blob add exactly the bytes the clients got to {@code source="upstream"}.
     */
    @Test
    void coldMisses_wholeAndRange_servedBytesCountEveryBodyByte() {
        RandomFile whole = TestImages.randomFile("cold-counted-whole", 3 * MIB + 5, 801);
        RandomFile ranged = TestImages.randomFile("cold-counted-range", 2 * MIB, 802);
        upstream.pushBlob("cold/counted", whole.path(), whole.digest());
        upstream.pushBlob("cold/counted", ranged.path(), ranged.digest());
        double before = upstreamBytes();

        Download got = client.downloadWithin(Duration.ofSeconds(60), "/v2/cold/counted/blobs/" + whole.digest());
        assertTrue(got.isComplete(whole.digest(), whole.size()), got::toString);
        RegistryResponse part = client.get("/v2/cold/counted/blobs/" + ranged.digest(), "Range", "bytes=1000-1099999");
        assertEquals(206, part.status(), part::toString);
        assertArrayEquals(Arrays.copyOfRange(readAll(ranged.path()), 1000, 1_100_000), part.body(),
                "the bytes of the Range");

        long expected = whole.size() + 1_099_000;
        Await.until(Duration.ofSeconds(10), () -> upstreamBytes() - before == expected,
                () -> "docker_cache_served_bytes_total{source=\"upstream\"} grew by " + (upstreamBytes() - before)
                        + ", the clients got " + expected + " body bytes");
        StoreInvariants.check(cache);
    }

    private static double upstreamBytes() {
        Double value = Metrics.sum(Metrics.scrape(cache), "docker_cache_served_bytes_total", "source=\"upstream\"");
        return value == null ? 0 : value;
    }

    private static Download await(Future<Download> download, Duration bound) {
        try {
            return download.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            download.cancel(true);
            throw new AssertionError("a cold miss did not end within " + bound + " (a hang short of its end):\n"
                    + cache.logTail(), e);
        } catch (ExecutionException e) {
            throw new AssertionError("a client failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void assertHealthy() {
        assertTrue(cache.isAlive(), () -> "the cache died:\n" + cache.logTail());
        try {
            String log = Files.readString(cache.log(), StandardCharsets.ISO_8859_1);
            assertFalse(log.contains("java.lang.OutOfMemoryError"), () -> "the cache ran out of memory:\n" + cache.logTail());
            assertFalse(log.contains("Response has already been written"),
                    () -> "a streamer wrote after its response ended:\n" + cache.logTail());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
