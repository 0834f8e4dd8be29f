package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Memory per response stays small on the Azure backend (issue 10 item 11): 200 concurrent hits of
 * an 8 MiB blob, all streaming at once at a client's pace, through a cache held to a 160 MiB heap
 * (each once held a 4 MiB read buffer: about 110 such hits filled the shipped 512 MiB heap).
 */
@ExtendWith(PrintLogsOnFailure.class)
class AzureMemoryIT {

    private static final long MIB = 1L << 20;
    private static final int CLIENTS = 200;
    private static final Closer closer = new Closer();
    private static final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    private static Azurite azurite;
    private static UpstreamRegistry registry;

    @BeforeAll
    static void start() {
        registry = closer.register(UpstreamRegistry.start());
        azurite = closer.register(Azurite.start());
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        closer.close();
    }

    @Test
    void twoHundredConcurrentAzureHits_passWithA160MiBHeap() throws Exception {
        RandomFile file = TestImages.randomFile("azure-memory", 8 * MIB, 310);
        new RegistryClient(registry.url()).pushBlob("memory/blob", file.path(), file.digest());
        CacheProcess.Builder builder = CacheProcess.of(registry.url())
                .maxHeap("160m")
                .jvmArgs("-XX:+ExitOnOutOfMemoryError")
                .env("DOCKER_CACHE_SCRUB_RATE", "0");
        for (Map.Entry<String, String> e : azurite.cacheEnv("memory", azurite.endpoint()).entrySet()) {
            builder.env(e.getKey(), e.getValue());
        }
        CacheProcess cache = closer.register(builder.start());
        String path = "/v2/memory/blob/blobs/" + file.digest();
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertBlob(client, "memory/blob", new Descriptor(file.digest(), file.size()));

        List<Future<Download>> hits = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            // About 4 s each at 2 MiB/s: all 200 responses are open at the same time.
            hits.add(pool.submit(() -> SlowReader.download(cache.url() + path, 2 * MIB)));
        }
        int complete = 0;
        List<String> failures = new ArrayList<>();
        for (Future<Download> hit : hits) {
            Download d = hit.get(180, TimeUnit.SECONDS);
            if (d.isComplete(file.digest(), file.size())) {
                complete++;
            } else if (failures.size() < 5) {
                failures.add(d.toString());
            }
        }

        assertTrue(cache.isAlive(), () -> "the cache died:\n" + cache.logTail());
        String log;
        try {
            log = Files.readString(cache.log(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertFalse(log.contains("java.lang.OutOfMemoryError"), () -> "the cache ran out of memory:\n" + cache.logTail());
        assertEquals(CLIENTS, complete, () -> "complete hits; first failures: " + failures);
        assertTrue(cache.isReady(), "still ready after the burst");
    }
}
