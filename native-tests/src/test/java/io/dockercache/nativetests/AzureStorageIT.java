package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The azure storage backend on a real Azurite: docker pulls, replicas sharing one container,
 * concurrent fills of one blob by two processes, a storage that answers ServerBusy and drops
 * connections, and a storage that goes away and comes back.
 */
@ExtendWith(PrintLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AzureStorageIT {

    private static final Closer closer = new Closer();
    private static Azurite azurite;
    private static UpstreamRegistry upstream;
    private static FaultProxy upstreamProxy;
    private static Image big;
    private static Image small;
    private static RandomFile raced;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        big = TestImages.big();
        small = TestImages.small("azure");
        TestImages.push(big, upstream.hostPort(), "library/big", "1");
        TestImages.push(small, upstream.hostPort(), "library/small", "1");
        raced = TestImages.randomFile("azure-raced", 60L << 20, 60);
        new RegistryClient(upstream.url()).pushBlob("library/big", raced.path(), raced.digest());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        azurite = closer.register(Azurite.start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    @Order(1)
    void dockerPull_onAzure_thenSecondProcessOnSameContainerServesWarm() {
        CacheProcess first = closer.register(cache("pull", azurite.endpoint(), upstreamProxy.url()));
        try (Dockerd dockerd = Dockerd.start(first.url())) {
            dockerd.pull("big:1");
            assertEquals(big.config().digest(), dockerd.imageId("big:1"), "image ID of big:1 pulled via azure");
        }
        first.close();
        upstreamProxy.requests().reset();

        try (CacheProcess second = cache("pull", azurite.endpoint(), upstreamProxy.url())) {
            ImageAssertions.assertPulls(new RegistryClient(second.url()), "library/big", "1", big);
        }

        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "upstream blob GETs from the second cache: " + upstreamProxy.requests());
    }

    @Test
    @Order(2)
    void twoProcessesFillOneUncachedBlobAtOnce_bothClientsGetItWhole_oneIntactBlobStored() throws Exception {
        Descriptor blob = new Descriptor(raced.digest(), raced.size());
        // Slow enough that both fills overlap for seconds.
        upstreamProxy.inject(Fault.throttle(raced.digest(), 20L << 20));
        List<Download> downloads = new ArrayList<>();
        try (CacheProcess a = cache("race", azurite.endpoint(), upstreamProxy.url());
                CacheProcess b = cache("race", azurite.endpoint(), upstreamProxy.url())) {
            upstreamProxy.requests().reset();
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Download>> running = new ArrayList<>();
                for (CacheProcess cache : List.of(a, b)) {
                    running.add(pool.submit(() -> {
                        go.await();
                        return new RegistryClient(cache.url()).blob("library/big", blob.digest());
                    }));
                }
                go.countDown();
                for (Future<Download> f : running) {
                    downloads.add(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        } finally {
            upstreamProxy.clearFaults();
        }

        assertEquals(2, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()),
                () -> "each process should have filled the blob itself: " + upstreamProxy.requests());
        // Both replicas and their upstream are healthy: the conditional commit decides which upload
        // becomes the blob, and neither client may pay for losing that race.
        for (Download d : downloads) {
            assertTrue(d.isComplete(blob.digest(), blob.size()),
                    () -> "a client of one of two healthy replicas filling the same blob did not get it whole"
                            + " (expected " + blob + "): " + d + "; both: " + downloads);
        }
        assertStoredIntact("race", "library/big", List.of(blob));
    }

    @Test
    @Order(3)
    void storageAnswersServerBusyAndDropsConnections_pullsSucceed_storedBlobsIntact() {
        try (StorageFaultProxy faulty = StorageFaultProxy.start("http://127.0.0.1:" + azurite.port(), 7)) {
            String endpoint = faulty.url() + "/" + Azurite.ACCOUNT;
            try (CacheProcess cold = cache("faults", endpoint, upstreamProxy.url())) {
                ImageAssertions.assertPulls(new RegistryClient(cold.url()), "library/big", "1", big);
                ImageAssertions.assertPulls(new RegistryClient(cold.url()), "library/small", "1", small);
            }
            upstreamProxy.requests().reset();
            try (CacheProcess warm = cache("faults", endpoint, upstreamProxy.url())) {
                ImageAssertions.assertPulls(new RegistryClient(warm.url()), "library/big", "1", big);
                ImageAssertions.assertPulls(new RegistryClient(warm.url()), "library/small", "1", small);
            }
            assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                    () -> "the warm pull went upstream: " + upstreamProxy.requests());
            assertTrue(faulty.busyAnswers() > 0 && faulty.resets() > 0 && faulty.cutBodies() > 0,
                    () -> "the faults were not exercised: " + faulty);
        }
        List<Descriptor> all = new ArrayList<>(big.blobs());
        assertStoredIntact("faults", "library/big", all);
        assertStoredIntact("faults", "library/small", small.blobs());
    }

    @Test
    @Order(4)
    void storageStopped_notReadyAndRegistryError_startedAgain_recovers() throws Exception {
        try (CacheProcess cache = cache("pull", azurite.endpoint(), upstreamProxy.url())) {
            RegistryClient client = new RegistryClient(cache.url());
            Descriptor layer = big.largestLayer();
            ImageAssertions.assertBlob(client, "library/big", layer);
            assertEquals(200, readiness(cache), "readiness before the outage");

            azurite.stop();
            // One readiness check is one short call to the container: the first probe after the
            // outage already sees it (README: "goes down within seconds").
            Await.until(Duration.ofSeconds(10), () -> readiness(cache) == 503,
                    () -> "readiness did not go down with the storage");
            long sent = System.nanoTime();
            RegistryResponse during = client.get("/v2/library/big/blobs/" + layer.digest());
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            // A storage outage is retryable, not a bug (500) and not an answer about the blob (404),
            // and comes after the bounded retries (6 tries, 100 ms doubling), not after a hang.
            ImageAssertions.assertRegistryError(during, 503, "UNAVAILABLE");
            assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0,
                    () -> "the error took " + took + " while storage was down: " + during.describe());

            azurite.restart();
            Await.until(Duration.ofSeconds(30), () -> readiness(cache) == 200,
                    () -> "readiness did not come back with the storage:\n" + cache.logTail());
            ImageAssertions.assertBlob(client, "library/big", layer);
            assertTrue(cache.isAlive(), "the cache kept running");
        }
    }

    /** A cache on the azure backend, {@code container} in the Azurite at {@code endpoint}. */
    private static CacheProcess cache(String container, String endpoint, String remoteUrl) {
        CacheProcess.Builder builder = CacheProcess.of(remoteUrl)
                .env("DOCKER_CACHE_AZURE_TRY_TIMEOUT", "10s")
                .env("DOCKER_CACHE_AZURE_MAX_TRIES", "6")
                .env("DOCKER_CACHE_AZURE_RETRY_DELAY", "100ms");
        for (Map.Entry<String, String> e : azurite.cacheEnv(container, endpoint).entrySet()) {
            builder.env(e.getKey(), e.getValue());
        }
        return builder.start();
    }

    /**
     * Reads blobs back through a fresh cache whose upstream is unreachable, so every byte comes from
     * the container: each must hash to its name.
     */
    private static void assertStoredIntact(String container, String name, List<Descriptor> blobs) {
        try (CacheProcess reader = cache(container, azurite.endpoint(), "http://127.0.0.1:" + FreePort.next())) {
            RegistryClient client = new RegistryClient(reader.url());
            for (Descriptor blob : blobs) {
                ImageAssertions.assertBlob(client, name, blob);
            }
        }
    }

    private static int readiness(CacheProcess cache) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(cache.managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
