package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Blob fills cannot starve the rest of the upstream traffic (review #10): with more stalled
 * fills than the blob pool holds (and than the old shared pool of 64), manifest HEADs still get
 * answered, and a fill that finds no free connection fails after the connect timeout instead of
 * waiting forever.
 */
@ExtendWith(PrintLogsOnFailure.class)
class UpstreamConnectionsIT {

    private static final String SLOW = "library/slow";
    private static final int BLOB_CONNECTIONS = 4;
    /** More than the blob pool, and more than the single pool of 64 the cache used to share. */
    private static final int STALLED_FILLS = 70;
    private static final Closer closer = new Closer();
    private static FaultProxy proxy;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static Image image;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("tag-one");
        TestImages.push(image, upstream.hostPort(), "library/probe", "ready");
        proxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(proxy.url()).tagTtlSeconds(0)
                .env("DOCKER_CACHE_UPSTREAM_MAX_CONNECTIONS", Integer.toString(BLOB_CONNECTIONS))
                .env("DOCKER_CACHE_UPSTREAM_CONNECT_TIMEOUT", "3s")
                .start());
        client = new RegistryClient(cache.url());
        pool = Executors.newFixedThreadPool(STALLED_FILLS + 1);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        closer.close();
    }

    @Test
    void blobPoolFullOfStalledFills_manifestHeadsAnswered_extraFillsFailInsteadOfWaiting() throws Exception {
        proxy.inject(Fault.stall("/v2/" + SLOW + "/blobs/"));
        List<Future<Download>> fills = new ArrayList<>();
        for (int i = 0; i < STALLED_FILLS; i++) {
            String digest = "sha256:" + String.format("%064x", i + 1);
            fills.add(pool.submit(() -> client.blob(SLOW, digest)));
        }
        Await.until(Duration.ofSeconds(20), () -> proxy.requests().count("GET", "/v2/" + SLOW + "/blobs/")
                >= BLOB_CONNECTIONS, () -> "the fills never reached the upstream: " + proxy.requests().all().size());

        Future<RegistryResponse> head = pool.submit(() -> client.head("/v2/library/probe/manifests/ready",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES));
        RegistryResponse answered = head.get(10, TimeUnit.SECONDS);
        assertEquals(200, answered.status(), answered::describe);
        assertEquals(image.manifest().digest(), answered.header("Docker-Content-Digest"), answered::describe);
        // A manifest GET takes the other pool too; blobs of library/probe would queue for the full one.
        ImageAssertions.assertManifest(client, "library/probe", "ready", image.manifest(), image.mediaType());

        // Fills beyond the pool fail once the connect timeout (3 s) bounds their wait.
        Await.until(Duration.ofSeconds(20), () -> fills.stream().filter(Future::isDone).count()
                >= STALLED_FILLS - BLOB_CONNECTIONS, () -> fills.stream().filter(Future::isDone).count()
                + " of " + STALLED_FILLS + " fills ended; the rest wait for a connection");
        for (Future<Download> fill : fills) {
            if (fill.isDone()) {
                Download d = fill.get();
                assertEquals(503, d.status(), d::toString);
            }
        }
        assertEquals(BLOB_CONNECTIONS, proxy.requests().count("GET", "/v2/" + SLOW + "/blobs/"),
                () -> "blob GETs the upstream saw with a pool of " + BLOB_CONNECTIONS);

        proxy.clearFaults();
        for (Future<Download> fill : fills) {
            Download d = fill.get(1, TimeUnit.MINUTES);
            assertTrue(d.status() != 200 || d.failure() != null, d::toString);
        }
        StoreInvariants.check(cache);
    }
}
