package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upstream's 429 opens a back-off window (its {@code Retry-After}, or 60 s when it names none):
 * inside it the upstream sees no manifest or blob GET, cached content is served, uncached content
 * answers 429 {@code TOOMANYREQUESTS} with {@code Retry-After} of the time left, HEADs still go
 * through (Docker Hub does not count them), and afterwards GETs go out again.
 */
@ExtendWith(PrintLogsOnFailure.class)
class RateLimitBackoffIT {

    private static final String REPOSITORY = "library/limited";
    private static final long WINDOW_SECONDS = 8;
    private static final Closer closer = new Closer();
    private static Image one;
    private static Image two;
    private static RandomFile uncachedBlob;
    private static UpstreamRegistry upstream;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        one = TestImages.small("tag-one");
        two = TestImages.small("tag-two");
        TestImages.push(one, upstream.hostPort(), REPOSITORY, "cached");
        TestImages.push(two, upstream.hostPort(), REPOSITORY, "uncached");
        uncachedBlob = TestImages.randomFile("limited", 64 << 10, 77);
        new RegistryClient(upstream.url()).pushBlob(REPOSITORY, uncachedBlob.path(), uncachedBlob.digest());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void retryAfterWindow_noGetReachesTheUpstream_uncachedAnswers429_cachedAndHeadsServed() {
        FaultProxy proxy = closer.register(FaultProxy.start(upstream.url()));
        CacheProcess cache = closer.register(CacheProcess.of(proxy.url()).start());
        RegistryClient client = new RegistryClient(cache.url());
        ImageAssertions.assertPulls(client, REPOSITORY, "cached", one);
        // The HEAD by tag passes; the GET by digest that follows it is refused.
        proxy.inject(Fault.rateLimited("/manifests/sha256:", Long.toString(WINDOW_SECONDS)));

        assertTooManyRequests(client.manifest(REPOSITORY, "uncached"), WINDOW_SECONDS);

        proxy.clearFaults();
        proxy.requests().reset();
        assertTooManyRequests(client.manifest(REPOSITORY, "uncached"), WINDOW_SECONDS);
        Download blob = client.blob(REPOSITORY, uncachedBlob.digest());
        assertEquals(429, blob.status(), blob::toString);
        assertRetryAfter(blob.header("Retry-After"), WINDOW_SECONDS, blob.toString());
        RegistryResponse head = client.head("/v2/" + REPOSITORY + "/manifests/uncached",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(200, head.status(), head::describe);
        assertEquals(two.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);
        ImageAssertions.assertPulls(client, REPOSITORY, "cached", one);

        assertEquals(0, proxy.requests().count("GET", "/manifests/"),
                () -> "manifest GETs reached the upstream inside its back-off window: " + proxy.requests());
        assertEquals(0, proxy.requests().count("GET", "/blobs/"),
                () -> "blob GETs reached the upstream inside its back-off window: " + proxy.requests());
        assertTrue(proxy.requests().count("HEAD", "/manifests/uncached") >= 1,
                () -> "the client HEAD was not answered from an upstream HEAD: " + proxy.requests());
        assertTrue(Metrics.required(cache, "docker_cache_upstream_held_back_total", "kind=\"manifest\"") >= 1);
        assertTrue(Metrics.required(cache, "docker_cache_upstream_held_back_total", "kind=\"blob\"") >= 1);

        Await.until(Duration.ofSeconds(WINDOW_SECONDS + 10),
                () -> client.manifest(REPOSITORY, "uncached").status() == 200,
                () -> "the manifest was still refused after the window: " + proxy.requests());
        assertTrue(proxy.requests().count("GET", "/manifests/" + two.manifest().digest()) >= 1, proxy.requests()::toString);
        ImageAssertions.assertBlob(client, REPOSITORY, new Descriptor(uncachedBlob.digest(), uncachedBlob.size()));
        StoreInvariants.check(cache);
    }

    @Test
    void blobGet429WithoutRetryAfter_holdsBackForTheDefaultMinute() {
        FaultProxy proxy = closer.register(FaultProxy.start(upstream.url()));
        CacheProcess cache = closer.register(CacheProcess.of(proxy.url()).start());
        RegistryClient client = new RegistryClient(cache.url());
        proxy.inject(Fault.rateLimited("/blobs/", null));

        Download refused = client.blob(REPOSITORY, uncachedBlob.digest());

        assertEquals(429, refused.status(), refused::toString);
        assertRetryAfter(refused.header("Retry-After"), 60, refused.toString());
        double left = Metrics.required(cache, "docker_cache_upstream_backoff_seconds");
        assertTrue(left > 50 && left <= 60, "docker_cache_upstream_backoff_seconds: " + left);
        proxy.clearFaults();
        proxy.requests().reset();
        assertEquals(429, client.blob(REPOSITORY, uncachedBlob.digest()).status());
        assertEquals(0, proxy.requests().count("GET", "/blobs/"), proxy.requests()::toString);
        StoreInvariants.check(cache);
    }

    private static void assertTooManyRequests(RegistryResponse response, long windowSeconds) {
        ImageAssertions.assertRegistryError(response, 429, "TOOMANYREQUESTS");
        assertRetryAfter(response.header("Retry-After"), windowSeconds, response.describe());
    }

    /** Whole seconds left, at least 1, never more than the upstream asked for. */
    private static void assertRetryAfter(String header, long atMost, String what) {
        assertNotNull(header, () -> "no Retry-After: " + what);
        long seconds = Long.parseLong(header);
        assertTrue(seconds >= 1 && seconds <= atMost, () -> "Retry-After " + seconds + " not in 1.." + atMost + ": " + what);
    }
}
