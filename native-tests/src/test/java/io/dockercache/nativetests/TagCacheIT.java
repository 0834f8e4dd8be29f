package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tags are cheap for the upstream: revalidated at most once per TTL, HEAD never becomes GET,
 * and the last cached digest is served while the upstream is down, 5xx or 429.
 */
@ExtendWith(PrintLogsOnFailure.class)
class TagCacheIT {

    private static final int CLIENTS = 50;
    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Image one;
    private static Image two;
    /** Pushed under one tag only: nothing of it is stored until its tag is pulled. */
    private static Image burst;
    /** TTL 60 s: a tag is asked upstream at most once a minute. */
    private static FaultProxy proxy60;
    private static CacheProcess cacheProcess60;
    private static RegistryClient cache60;
    /** TTL 0: every tag request is revalidated upstream, which makes stale-if-error observable. */
    private static FaultProxy proxy0;
    private static CacheProcess cacheProcess0;
    private static RegistryClient cache0;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        one = TestImages.small("tag-one");
        two = TestImages.small("tag-two");
        for (String tag : new String[] {"hundred", "cold", "head", "stale", "moving", "s503", "s429", "restart"}) {
            TestImages.push(one, upstream.hostPort(), "library/tags", tag);
        }
        burst = TestImages.small("tag-burst");
        TestImages.push(burst, upstream.hostPort(), "library/tags", "burst");
        proxy60 = closer.register(FaultProxy.start(upstream.url()));
        cacheProcess60 = closer.register(CacheProcess.of(proxy60.url()).tagTtlSeconds(60).start());
        cache60 = new RegistryClient(cacheProcess60.url());
        proxy0 = closer.register(FaultProxy.start(upstream.url()));
        cacheProcess0 = closer.register(CacheProcess.of(proxy0.url()).tagTtlSeconds(0).start());
        cache0 = new RegistryClient(cacheProcess0.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void healUpstreamAndCheckStores() {
        proxy0.clearFaults();
        proxy0.resume();
        proxy60.clearFaults();
        proxy60.resume();
        // Every fault of this class (stalls, 5xx, 429, a restart) leaves both stores whole.
        StoreInvariants.check(cacheProcess60);
        StoreInvariants.check(cacheProcess0);
    }

    @Test
    void hundredGetsOfAWarmTagWithinTtl_costAtMostOneUpstreamRequest() {
        assertServes(cache60, "hundred", one);
        proxy60.requests().reset();

        for (int i = 0; i < 100; i++) {
            assertServes(cache60, "hundred", one);
        }

        assertTrue(proxy60.requests().all().size() <= 1,
                () -> "upstream requests for 100 GETs of a cached tag within its TTL: " + proxy60.requests());
    }

    @Test
    void hundredGetsOfAColdTag_oneUpstreamManifestGet() {
        proxy60.requests().reset();

        for (int i = 0; i < 100; i++) {
            assertServes(cache60, "cold", one);
        }

        assertTrue(proxy60.requests().count("GET", "/manifests/") <= 1,
                () -> "upstream manifest GETs for 100 GETs of a tag: " + proxy60.requests());
        assertTrue(proxy60.requests().count("/manifests/") <= 2,
                () -> "upstream manifest requests for 100 GETs of a tag: " + proxy60.requests());
    }

    /** A rollout: every node resolves the same cold tag at once (matrix L1). */
    @Test
    void fiftyConcurrentGetsOfAColdTag_oneUpstreamManifestGet() throws Exception {
        proxy60.requests().reset();
        // The manifest's body takes about a second upstream, so every client arrives during it.
        proxy60.inject(Fault.throttle("/manifests/", burst.manifest().size()));
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> pulls = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                pulls.add(pool.submit(() -> {
                    go.await();
                    assertServes(cache60, "burst", burst);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> pull : pulls) {
                pull.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(1, proxy60.requests().count("GET", "/manifests/"),
                () -> "upstream manifest GETs for " + CLIENTS + " concurrent GETs of a cold tag: " + proxy60.requests());
        // HEADs cost no rate limit; they are coalesced too, but a client that arrives after the
        // first HEAD answered and before the manifest is stored asks again (2 or 3 seen here).
        assertTrue(proxy60.requests().count("HEAD", "/manifests/") < 10,
                () -> "upstream manifest HEADs for " + CLIENTS + " concurrent GETs of a cold tag: " + proxy60.requests());
    }

    @Test
    void clientHead_neverBecomesAnUpstreamGet() {
        proxy0.requests().reset();

        for (int i = 0; i < 5; i++) {
            RegistryResponse head = cache0.head("/v2/library/tags/manifests/head",
                    "Accept", RegistryClient.ALL_MANIFEST_TYPES);
            assertEquals(200, head.status(), head::describe);
            assertEquals(one.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);
            assertEquals(Long.toString(one.manifest().size()), head.header("Content-Length"), head::describe);
            ImageAssertions.assertApiVersionHeader(head);
        }

        assertEquals(0, proxy0.requests().count("GET", "/manifests/"),
                () -> "upstream manifest GETs for client HEADs: " + proxy0.requests());
    }

    @Test
    void tagMovedUpstream_ttlZero_servesTheNewDigest() {
        assertServes(cache0, "moving", one);

        TestImages.push(two, upstream.hostPort(), "library/tags", "moving");

        assertServes(cache0, "moving", two);
    }

    @Test
    void upstreamStopped_cachedTagAndDigestsServed_uncachedTagGetsRegistryError() {
        ImageAssertions.assertPulls(cache0, "library/tags", "stale", one);

        proxy0.stop();

        ImageAssertions.assertPulls(cache0, "library/tags", "stale", one);
        ImageAssertions.assertPulls(cache0, "library/tags", one.manifest().digest(), one);
        RegistryResponse uncached = cache0.manifest("library/tags", "never-cached");
        assertTrue(uncached.status() == 404 || uncached.status() >= 500,
                () -> "an uncached tag with the upstream down: " + uncached.describe());
        ImageAssertions.assertErrorEnvelope(uncached);
        ImageAssertions.assertApiVersionHeader(uncached);
    }

    @Test
    void restartWithUpstreamStopped_cachedTagStillServedFromStorage() {
        ImageAssertions.assertPulls(cache0, "library/tags", "restart", one);

        proxy0.stop();
        cacheProcess0.restart();

        ImageAssertions.assertPulls(cache0, "library/tags", "restart", one);
    }

    @ParameterizedTest(name = "upstream answers {0}")
    @ValueSource(ints = {503, 429})
    void upstreamErrorStatus_cachedTagServedStale(int status) {
        String tag = "s" + status;
        assertServes(cache0, tag, one);

        proxy0.inject(Fault.status("/manifests/", status));

        assertServes(cache0, tag, one);
        assertTrue(proxy0.requests().count("/manifests/" + tag) >= 2,
                () -> "with TTL 0 the tag is revalidated upstream: " + proxy0.requests());
    }

    private static void assertServes(RegistryClient cache, String tag, Image image) {
        ImageAssertions.assertManifest(cache, "library/tags", tag, image.manifest(), image.mediaType());
    }
}
