package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Matrix L4 on the Azure side (review: the Azure client needs an explicit try timeout): the
 * storage endpoint stops answering without refusing, every request to it held open in silence.
 * A request that needs storage ends with a registry error within the configured tries, never a
 * hang; requests that need no storage keep answering at once (no thread is pinned); readiness
 * goes red; when the endpoint answers again the same process is ready by itself and serves what
 * it stored, from storage.
 */
@ExtendWith(PrintLogsOnFailure.class)
class AzureStallIT {

    /** docker_cache_azure_try_timeout and _max_tries of this test: 2 tries of 2 s, 0.2 s apart. */
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(2);
    private static final int TRIES = 2;
    /** Each storage call of a request gives up after its tries; a request makes a few calls. */
    private static final Duration ERROR_BOUND = Duration.ofSeconds(20);
    private static final Duration PING_BOUND = Duration.ofMillis(500);

    private static final Closer closer = new Closer();
    private static Azurite azurite;
    private static StallingProxy storage;
    private static FaultProxy upstreamProxy;
    private static Image image;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = SyntheticImage.push(new RegistryClient(upstream.url()), "stall/img", "1",
                TestImages.randomFile("azure-stall", 1L << 20, 131));
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        azurite = closer.register(Azurite.start());
        storage = closer.register(StallingProxy.start("http://127.0.0.1:" + azurite.port()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void storageStopsAnswering_errorsWithinTheTries_pingsStayFast_redThenGreenByItself_blobServedFromStorage() {
        Descriptor layer = image.layers().get(0);
        String blobPath = "/v2/stall/img/blobs/" + layer.digest();
        try (CacheProcess cache = cache()) {
            RegistryClient client = new RegistryClient(cache.url());
            ImageAssertions.assertPulls(client, "stall/img", "1", image);
            assertTrue(cache.isReady(), "ready before the stall");

            storage.stall();
            long sent = System.nanoTime();
            Download answer = client.downloadWithin(ERROR_BOUND, blobPath);
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            assertFalse(answer.timedOut(), () -> "no answer within " + ERROR_BOUND + " with storage silent: " + answer);
            assertEquals(503, answer.status(), () -> "after " + took + ": " + answer);
            assertEquals("UNAVAILABLE", answer.errorCode(), answer::toString);
            assertTrue(took.compareTo(TRY_TIMEOUT) >= 0, () -> "answered before one try could time out (" + took
                    + "): was storage asked at all? " + storage);
            assertTrue(storage.heldRequests() > 0, storage::toString);

            // While storage calls hang, the event loops and the rest of the API do not.
            for (int i = 0; i < 5; i++) {
                long pinged = System.nanoTime();
                Download ping = client.downloadWithin(ERROR_BOUND, "/v2/");
                Duration pingTook = Duration.ofNanos(System.nanoTime() - pinged);
                assertEquals(200, ping.status(), ping::toString);
                assertTrue(pingTook.compareTo(PING_BOUND) < 0, () -> "/v2/ took " + pingTook + " with storage silent");
            }
            Await.until(ERROR_BOUND, () -> !cache.isReady(), () -> "readiness stayed green with storage silent");

            storage.recover();
            Await.until(Duration.ofSeconds(30), cache::isReady,
                    () -> "readiness did not come back by itself:\n" + cache.logTail());
            upstreamProxy.requests().reset();
            ImageAssertions.assertBlob(client, "stall/img", layer);
            assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                    () -> "the stored blob is served from storage again: " + upstreamProxy.requests());
            assertTrue(cache.isAlive(), "the same process recovered");
        }
    }

    private static CacheProcess cache() {
        CacheProcess.Builder builder = CacheProcess.of(upstreamProxy.url());
        for (Map.Entry<String, String> e : azurite.cacheEnv("stall", storage.url() + "/" + Azurite.ACCOUNT).entrySet()) {
            builder.env(e.getKey(), e.getValue());
        }
        return builder
                .env("DOCKER_CACHE_AZURE_TRY_TIMEOUT", TRY_TIMEOUT.toSeconds() + "s")
                .env("DOCKER_CACHE_AZURE_MAX_TRIES", String.valueOf(TRIES))
                .env("DOCKER_CACHE_AZURE_RETRY_DELAY", "200ms")
                .start();
    }
}
