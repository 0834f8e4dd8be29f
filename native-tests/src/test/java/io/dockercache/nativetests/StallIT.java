package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stalls and the progress rule (issue 10 item 9): a blob download whose upstream stops sending
 * mid-body ends soon after {@code docker_cache_upstream_idle_timeout} (client reset, nothing
 * stored) while warm requests keep answering; one that keeps receiving bytes runs past that
 * timeout and is cached; only {@code docker_cache_fill_max_duration} ends a steady one.
 */
@ExtendWith(PrintLogsOnFailure.class)
class StallIT {

    private static final long MIB = 1L << 20;
    private static final Duration IDLE = Duration.ofSeconds(3);
    private static final Closer closer = new Closer();
    private static UpstreamRegistry registry;
    private static RegistryClient upstream;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static Image warm;

    @BeforeAll
    static void start() {
        registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        upstreamProxy = closer.register(FaultProxy.start(registry.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_UPSTREAM_IDLE_TIMEOUT", IDLE.toSeconds() + "s")
                .start());
        client = new RegistryClient(cache.url());
        warm = SyntheticImage.push(upstream, "stall/warm", "1", TestImages.randomFile("stall-warm", MIB, 91));
        ImageAssertions.assertPulls(client, "stall/warm", "1", warm);
    }

    @AfterEach
    void clear() {
        upstreamProxy.clearFaults();
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void upstreamStallsMidBody_clientEndsSoonAfterTheIdleTimeout_warmRequestsKeepAnswering() {
        RandomFile file = TestImages.randomFile("stall-mid", 8 * MIB, 92);
        upstream.pushBlob("stall/mid", file.path(), file.digest());
        upstreamProxy.inject(Fault.stallAfter("/blobs/" + file.digest(), MIB));

        long started = System.nanoTime();
        CompletableFuture<Download> stalled = CompletableFuture.supplyAsync(
                () -> client.downloadWithin(Duration.ofSeconds(30), "/v2/stall/mid/blobs/" + file.digest()));
        List<Duration> warmAnswers = new ArrayList<>();
        while (!stalled.isDone()) {
            long t = System.nanoTime();
            ImageAssertions.assertBlob(client, "stall/warm", warm.layers().get(0));
            warmAnswers.add(Duration.ofNanos(System.nanoTime() - t));
            Await.sleep(Duration.ofMillis(200));
        }
        Download result = stalled.join();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertFalse(result.timedOut(), () -> "the stalled download held the client: " + result);
        assertTrue(result.failure() != null && result.status() == 200 && result.bytes() < file.size(),
                () -> "a stalled blob must end in a reset short of its end, never a clean response: " + result);
        assertTrue(took.compareTo(IDLE.plusSeconds(4)) < 0,
                () -> "the stall ended after " + took + "; the idle timeout is " + IDLE);
        assertTrue(took.compareTo(IDLE) >= 0, () -> "ended before the idle timeout: " + took + " " + result);
        assertFalse(warmAnswers.isEmpty(), "warm requests were sent during the stall");
        assertTrue(warmAnswers.stream().allMatch(d -> d.toMillis() < 500),
                () -> "warm requests answered during the stall in " + warmAnswers);
        assertFalse(Files.exists(cache.blobData(file.digest())), "a stalled blob was stored");
        StoreInvariants.check(cache);

        upstreamProxy.clearFaults();
        ImageAssertions.assertBlob(client, "stall/mid", new Descriptor(file.digest(), file.size()));
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(file.digest())));
    }

    @Test
    void slowButSteadyDownload_runsPastTheIdleTimeout_andIsCached() {
        RandomFile file = TestImages.randomFile("stall-steady", 3 * MIB, 93);
        upstream.pushBlob("stall/steady", file.path(), file.digest());
        // About 6 s in all, twice the idle timeout, bytes arriving all along.
        upstreamProxy.inject(Fault.throttle("/blobs/" + file.digest(), 512 * 1024));

        Download result = client.downloadWithin(Duration.ofSeconds(40), "/v2/stall/steady/blobs/" + file.digest());

        assertTrue(result.isComplete(file.digest(), file.size()), () -> "a steady slow download: " + result);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(file.digest())));
        StoreInvariants.check(cache);
    }

    @Test
    void fillMaxDuration_endsASteadyDownload_nothingStored() {
        RandomFile file = TestImages.randomFile("stall-capped", 3 * MIB, 94);
        upstream.pushBlob("stall/capped", file.path(), file.digest());
        try (CacheProcess capped = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_FILL_MAX_DURATION", "2s")
                .start()) {
            RegistryClient cappedClient = new RegistryClient(capped.url());
            upstreamProxy.inject(Fault.throttle("/blobs/" + file.digest(), 512 * 1024));

            long started = System.nanoTime();
            Download result = cappedClient.downloadWithin(Duration.ofSeconds(40),
                    "/v2/stall/capped/blobs/" + file.digest());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertTrue(result.failure() != null && !result.timedOut() && result.bytes() < file.size(),
                    () -> "a download past the hard cap must be reset: " + result);
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, () -> "the 2 s cap ended it after " + took);
            Await.sleep(Duration.ofSeconds(1));
            assertFalse(Files.exists(capped.blobData(file.digest())), "a capped download was stored");
            StoreInvariants.check(capped);
        }
    }
}
