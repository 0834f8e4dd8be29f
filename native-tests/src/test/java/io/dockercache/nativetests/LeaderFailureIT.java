package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When the one shared download of a blob fails, every client following it fails too (matrix L1):
 * twenty concurrent GETs join one fill, the upstream stalls it mid-body, and each of the twenty is
 * reset (never a clean 200, never an empty one), from exactly one upstream GET; the next request
 * costs exactly one more and gets the whole blob.
 */
@ExtendWith(PrintLogsOnFailure.class)
class LeaderFailureIT {

    private static final int CLIENTS = 20;
    private static final Closer closer = new Closer();
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static Descriptor blob;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        RandomFile file = TestImages.randomFile("leader-failure", 8L << 20, 51);
        new RegistryClient(upstream.url()).pushBlob("leader/fails", file.path(), file.digest());
        blob = new Descriptor(file.digest(), file.size());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_UPSTREAM_IDLE_TIMEOUT", "3s")
                .start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void sharedDownloadFails_everyFollowerIsReset_oneUpstreamGet_thenOneRetryFetchesItWhole() throws Exception {
        upstreamProxy.inject(Fault.stallAfter("/blobs/" + blob.digest(), 1L << 20));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Download>> downloads = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                downloads.add(pool.submit(() -> {
                    go.await();
                    return client.downloadWithin(Duration.ofSeconds(30), "/v2/leader/fails/blobs/" + blob.digest());
                }));
            }
            go.countDown();
            for (Future<Download> future : downloads) {
                Download d = future.get(60, TimeUnit.SECONDS);
                assertFalse(d.timedOut(), () -> "a follower of the failed download hung: " + d);
                assertTrue(d.failure() != null || d.status() >= 500,
                        () -> "a follower of the failed download must be reset or refused, never a clean answer: " + d);
                assertFalse(d.status() == 200 && d.failure() == null,
                        () -> "a clean 200 of a download that failed: " + d);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()),
                () -> "the twenty requests share one upstream GET: " + upstreamProxy.requests());
        assertFalse(Files.exists(cache.blobData(blob.digest())), "the failed download was stored");
        StoreInvariants.check(cache);

        upstreamProxy.clearFaults();
        upstreamProxy.requests().reset();
        ImageAssertions.assertBlob(client, "leader/fails", blob);
        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()),
                () -> "the retry costs exactly one upstream GET: " + upstreamProxy.requests());
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(blob.digest())));
        StoreInvariants.check(cache);
    }
}
