package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Concurrent misses for one digest share one upstream download. */
@ExtendWith(PrintLogsOnFailure.class)
class CoalescingIT {

    /** Slow enough that the fill of a 50 MiB blob lasts seconds, so the 20 requests overlap it. */
    private static final long UPSTREAM_BYTES_PER_SECOND = 20L << 20;
    private static final Closer closer = new Closer();
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static RandomFile abandoned;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        TestImages.push(TestImages.big(), upstream.hostPort(), "library/big", "1");
        abandoned = TestImages.randomFile("abandoned", 32L << 20, 32);
        new RegistryClient(upstream.url()).pushBlob("library/big", abandoned.path(), abandoned.digest());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        upstreamProxy.inject(Fault.throttle("/blobs/", UPSTREAM_BYTES_PER_SECOND));
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void checkTheStore() {
        StoreInvariants.check(cache);
    }

    @Test
    void twentyConcurrentGetsOfOneUncachedBlob_oneUpstreamGet_allBodiesIntact() throws Exception {
        Descriptor blob = TestImages.big().largestLayer();
        assertTrue(blob.size() >= 50L << 20, "the test blob is at least 50 MiB");
        int clients = 20;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Download>> downloads = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                downloads.add(pool.submit(() -> {
                    go.await();
                    return client.blob("library/big", blob.digest());
                }));
            }
            go.countDown();
            for (Future<Download> future : downloads) {
                Download download = future.get();
                assertTrue(download.isComplete(blob.digest(), blob.size()), () -> "a concurrent GET: " + download);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()),
                () -> "upstream GETs of " + blob + ": " + upstreamProxy.requests().matching(blob.digest()));
    }

    @Test
    void firstClientDisconnects_fillContinues_noSecondUpstreamGet() throws Exception {
        Descriptor blob = new Descriptor(abandoned.digest(), abandoned.size());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(cache.url() + "/v2/library/big/blobs/" + blob.digest()))
                .timeout(Duration.ofMinutes(1)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode(), "status of the GET that disconnects");
        try (InputStream body = response.body()) {
            body.readNBytes(64 * 1024);
        } catch (IOException ignored) {
            // the point is to go away early
        }

        Await.until(Duration.ofSeconds(60), () -> Files.exists(cache.blobData(blob.digest())),
                () -> "the fill of " + blob + " did not go on to storage after its only client disconnected;"
                        + " upstream saw " + upstreamProxy.requests().matching(blob.digest()));
        ImageAssertions.assertBlob(client, "library/big", blob);

        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()),
                () -> "upstream GETs of " + blob + ": " + upstreamProxy.requests().matching(blob.digest()));
    }
}
