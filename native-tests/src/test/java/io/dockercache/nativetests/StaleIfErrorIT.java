package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Docker Hub's rate-limit case (review #3): the tag's revalidation HEAD is free and succeeds with
 * a new digest, the GET of that manifest fails. The cached digest is served (stale), the tag is
 * not taken for fresh until the new manifest is stored, and a client HEAD that saw the new digest
 * does not leave GETs serving the old one.
 */
@ExtendWith(PrintLogsOnFailure.class)
class StaleIfErrorIT {

    /** Each test's own repository: a new manifest another test stored would be linked, not fetched. */
    private static final String REPOSITORY = "library/moving-";
    private static final long TTL_SECONDS = 5;
    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Image one;
    private static Image two;
    private static FaultProxy proxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        one = TestImages.small("tag-one");
        two = TestImages.small("tag-two");
        proxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(proxy.url()).tagTtlSeconds(TTL_SECONDS).start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void healAndCheckTheStore() {
        proxy.clearFaults();
        StoreInvariants.check(cache);
    }

    @ParameterizedTest(name = "the GET of the new manifest gets {0}")
    @ValueSource(ints = {429, 503})
    void tagMovedUpstream_getOfTheNewManifestFails_oldDigestServedStale_untilTheNewOneIsStored(int status) {
        String tag = "moved" + status;
        cachedThenMoved(tag);
        String newManifest = "/manifests/" + two.manifest().digest();
        proxy.inject(status == 429 ? Fault.rateLimited(newManifest, "1") : Fault.status(newManifest, status));
        proxy.requests().reset();

        assertServes(tag, one);
        assertTrue(proxy.requests().count("GET", newManifest) >= 1,
                () -> "the cache never asked for the moved tag's new manifest: " + proxy.requests());

        long headsBefore = proxy.requests().count("HEAD", "/manifests/" + tag);
        assertServes(tag, one);
        assertTrue(proxy.requests().count("HEAD", "/manifests/" + tag) > headsBefore,
                () -> "within the TTL the old digest was taken for fresh, not revalidated: " + proxy.requests());

        proxy.clearFaults();
        Await.until(Duration.ofSeconds(15), () -> served(tag).equals(two.manifest().digest()),
                () -> "the moved tag never served its new digest once the upstream healed: " + proxy.requests());
    }

    @Test
    void clientHeadSawTheNewDigest_theNextGetWithinTheTtlServesItToo() {
        String tag = "headmoved";
        cachedThenMoved(tag);

        RegistryResponse head = client.head("/v2/" + REPOSITORY + tag + "/manifests/" + tag,
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(200, head.status(), head::describe);
        assertEquals(two.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);

        // Within the TTL of that HEAD: two nodes resolving the tag now must run the same image.
        assertServes(tag, two);
    }

    /** The tag cached as image one, then moved to image two upstream, and the TTL over. */
    private static void cachedThenMoved(String tag) {
        TestImages.push(one, upstream.hostPort(), REPOSITORY + tag, tag);
        assertServes(tag, one);
        TestImages.push(two, upstream.hostPort(), REPOSITORY + tag, tag);
        Await.sleep(Duration.ofSeconds(TTL_SECONDS + 1));
    }

    private static String served(String tag) {
        RegistryResponse response = client.manifest(REPOSITORY + tag, tag);
        return response.status() == 200 ? response.header("Docker-Content-Digest") : "status " + response.status();
    }

    private static void assertServes(String tag, Image image) {
        ImageAssertions.assertManifest(client, REPOSITORY + tag, tag, image.manifest(), image.mediaType());
    }
}
