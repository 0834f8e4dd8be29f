package io.dockercache.nativetests;

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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A 1 GiB blob streams through a cache with a 128 MiB heap, cold and warm, on the jar and on the
 * native executable, to one client and to eight at once: heap use grows with neither size nor
 * clients.
 */
@ExtendWith(PrintLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LargeBlobIT {

    private static final long SIZE = 1L << 30;
    private static final Closer closer = new Closer();
    private static Path dir;
    private static final int CLIENTS = 8;
    private static Descriptor blob;
    private static Descriptor shared;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        dir = WorkDir.create("large-blob");
        RandomFile file = RandomFile.write(dir.resolve("blob.bin"), SIZE, 1024);
        new RegistryClient(upstream.url()).pushBlob("library/large", file.path(), file.digest());
        blob = new Descriptor(file.digest(), file.size());
        deleteFile(file.path());
        RandomFile second = RandomFile.write(dir.resolve("shared.bin"), SIZE, 2048);
        new RegistryClient(upstream.url()).pushBlob("library/large", second.path(), second.digest());
        shared = new Descriptor(second.digest(), second.size());
        deleteFile(second.path());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        // The heap bound holds for the jar and the native executable alike; only the jar also
        // exits on OutOfMemoryError (the log is checked for one either way).
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .maxHeap("128m")
                .jvmArgs("-XX:+ExitOnOutOfMemoryError")
                .start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
        WorkDir.deleteTree(dir);
    }

    @Test
    @Order(1)
    void coldPull_streamsTheWholeBlobIntact() {
        Download download = client.blob("library/large", blob.digest());

        assertTrue(download.isComplete(blob.digest(), blob.size()), () -> "cold GET of the 1 GiB blob: " + download);
        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()), "upstream GETs");
        assertHealthy();
    }

    @Test
    @Order(2)
    void warmPull_servesTheWholeBlobIntactFromStorage() {
        if (!Files.exists(cache.blobData(blob.digest()))) {
            client.blob("library/large", blob.digest());
        }
        ImageAssertions.awaitFiles(Duration.ofSeconds(60), List.of(cache.blobData(blob.digest())));
        upstreamProxy.requests().reset();

        Download download = client.blob("library/large", blob.digest());

        assertTrue(download.isComplete(blob.digest(), blob.size()), () -> "warm GET of the 1 GiB blob: " + download);
        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "upstream blob GETs for a cached blob: " + upstreamProxy.requests());
        assertHealthy();
    }

    @Test
    @Order(3)
    void eightClientsOfOneColdBlob_allGetItWhole_oneUpstreamGet() throws Exception {
        upstreamProxy.requests().reset();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Download>> downloads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                downloads.add(pool.submit(() -> client.blob("library/large", shared.digest())));
            }
            for (Future<Download> f : downloads) {
                Download download = f.get(5, TimeUnit.MINUTES);
                assertTrue(download.isComplete(shared.digest(), shared.size()),
                        () -> "one of " + CLIENTS + " cold GETs of the 1 GiB blob: " + download);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + shared.digest()), "upstream GETs");
        assertHealthy();
        StoreInvariants.check(cache);
    }

    private static void assertHealthy() {
        assertTrue(cache.isAlive(), () -> "the cache died:\n" + cache.logTail());
        try {
            String log = Files.readString(cache.log(), StandardCharsets.ISO_8859_1);
            assertTrue(log.lines().anyMatch(l -> l.startsWith("=== ") && l.contains(" -Xmx128m")),
                    () -> "the cache was not started with the heap bound:\n" + cache.logTail());
            assertFalse(log.contains("java.lang.OutOfMemoryError"),
                    () -> "the cache ran out of heap:\n" + cache.logTail());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
