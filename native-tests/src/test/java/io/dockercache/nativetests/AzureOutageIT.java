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
 * Matrix Z3 with the shipped Azure settings (no test overrides of tries, delays or timeouts):
 * Azurite stopped for 60 s. Readiness goes red within 5 s of the outage and stays red; requests
 * answer a registry error within a bound instead of hanging; when Azurite is back the same
 * process is ready again by itself and serves the blob, whose stored bytes are intact.
 */
@ExtendWith(PrintLogsOnFailure.class)
class AzureOutageIT {

    /** The kubelet's probe period and failure threshold are 5 s x 2 (deployment.yaml): red by 5 s. */
    private static final Duration READINESS_BOUND = Duration.ofSeconds(5);
    /**
     * Each Azure call of a request makes 4 tries with 0.5 s, 1 s, 2 s of back-off against a port
     * that refuses at once: a few seconds per call, far from the client's 2 minutes.
     */
    private static final Duration ERROR_BOUND = Duration.ofSeconds(20);
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    private static final Closer closer = new Closer();
    private static Azurite azurite;
    private static FaultProxy upstreamProxy;
    private static Image image;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = SyntheticImage.push(new RegistryClient(upstream.url()), "outage/img", "1",
                TestImages.randomFile("azure-outage", 2L << 20, 121));
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        azurite = closer.register(Azurite.start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void azuriteStoppedFor60s_redWithin5s_errorsFast_greenAgainByItself_blobServed() {
        Descriptor layer = image.layers().get(0);
        try (CacheProcess cache = cache("outage", upstreamProxy.url())) {
            RegistryClient client = new RegistryClient(cache.url());
            ImageAssertions.assertPulls(client, "outage/img", "1", image);
            assertTrue(cache.isReady(), "ready before the outage");

            azurite.stop();
            long stopped = System.nanoTime();
            Await.until(READINESS_BOUND.plusSeconds(10), () -> !cache.isReady(),
                    () -> "readiness never went red with the storage down");
            Duration red = Duration.ofNanos(System.nanoTime() - stopped);
            assertTrue(red.compareTo(READINESS_BOUND) <= 0, () -> "readiness went red only after " + red);

            assertFailsFast(client, "/v2/outage/img/blobs/" + layer.digest());

            Duration left = OUTAGE.minus(Duration.ofNanos(System.nanoTime() - stopped));
            Await.sleep(left.isNegative() ? Duration.ZERO : left);
            assertFalse(cache.isReady(), "still red at the end of the outage");
            assertFailsFast(client, "/v2/outage/img/blobs/" + layer.digest());

            azurite.restart();
            Await.until(Duration.ofSeconds(30), cache::isReady,
                    () -> "readiness did not come back by itself after the storage:\n" + cache.logTail());
            upstreamProxy.requests().reset();
            ImageAssertions.assertPulls(client, "outage/img", "1", image);
            assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                    () -> "what was stored before the outage is served from storage: " + upstreamProxy.requests());
            assertTrue(cache.isAlive(), "the same process recovered");
        }
        // The store's invariant on Azure: every blob read back through a cache that cannot reach the
        // upstream hashes to its name.
        try (CacheProcess reader = cache("outage", "http://127.0.0.1:" + FreePort.next())) {
            RegistryClient client = new RegistryClient(reader.url());
            for (Descriptor blob : image.blobs()) {
                ImageAssertions.assertBlob(client, "outage/img", blob);
            }
        }
    }

    /** A registry error (503 UNAVAILABLE: retryable) well within {@link #ERROR_BOUND}, never a hang. */
    private static void assertFailsFast(RegistryClient client, String path) {
        long sent = System.nanoTime();
        Download answer = client.downloadWithin(ERROR_BOUND, path, "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        assertFalse(answer.timedOut(), () -> "no answer within " + ERROR_BOUND + " while storage was down: " + answer);
        assertEquals(503, answer.status(), () -> "while storage was down, after " + took + ": " + answer);
        assertEquals("UNAVAILABLE", answer.errorCode(), answer::toString);
        assertTrue(took.compareTo(ERROR_BOUND) < 0, () -> "the error took " + took + ": " + answer);
    }

    /** A cache on the azure backend with the shipped defaults. */
    private static CacheProcess cache(String container, String remoteUrl) {
        CacheProcess.Builder builder = CacheProcess.of(remoteUrl);
        for (Map.Entry<String, String> e : azurite.cacheEnv(container, azurite.endpoint()).entrySet()) {
            builder.env(e.getKey(), e.getValue());
        }
        return builder.start();
    }
}
