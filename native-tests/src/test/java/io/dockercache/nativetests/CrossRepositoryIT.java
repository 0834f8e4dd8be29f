package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Matrix I5: a blob cached (stored and linked) for repository A is never served for B from the
 * shared blob store alone. When the upstream answers 404 for B the client gets 404
 * {@code BLOB_UNKNOWN}; when it answers 401 (bare, or with a Basic challenge the cache has no
 * credentials for) 503 {@code UNAVAILABLE}, as the cache lacks credentials it would need;
 * each time the upstream was asked about B and B gets no link. The same holds once the blob was
 * evicted, and once it was fetched again for A.
 */
@ExtendWith(PrintLogsOnFailure.class)
class CrossRepositoryIT {

    private static final String A = "iso/a";
    private static final String B = "iso/b";
    private static final Closer closer = new Closer();
    private static Image image;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        RegistryClient seed = new RegistryClient(upstream.url());
        image = SyntheticImage.push(seed, A, "1", TestImages.randomFile("iso-layer", 1L << 20, 131));
        // B exists upstream, without the layer: the upstream's own answer for B is 404.
        SyntheticImage.push(seed, B, "1", TestImages.randomFile("iso-other", 4096, 132));
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_MAX_IDLE", "10s")
                .env("DOCKER_CACHE_EVICTION_INTERVAL", "1s")
                .env("DOCKER_CACHE_EVICTION_GRACE", "0")
                .start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void blobOfA_neverServedForB_cachedEvictedAndFetchedAgain_upstream404Or401() {
        Descriptor layer = image.layers().get(0);
        ImageAssertions.assertPulls(client, A, "1", image);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(layer.digest())));
        assertNotServedToB(layer, "cached for " + A);

        Await.until(Duration.ofSeconds(40), () -> !Files.exists(cache.blobData(layer.digest())),
                () -> "the idle image was never evicted");
        assertNotServedToB(layer, "evicted");

        ImageAssertions.assertPulls(client, A, "1", image);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(layer.digest())));
        assertNotServedToB(layer, "fetched again for " + A);

        StoreInvariants.check(cache);
    }

    private static void assertRefused(String path, String state, Fault fault, int status, String code) {
        upstreamProxy.inject(fault);
        try {
            upstreamProxy.requests().reset();
            ImageAssertions.assertRegistryError(client.get(path), status, code);
            assertEquals(status, client.head(path).status(), () -> state + ": HEAD " + path + " under " + fault);
            assertTrue(upstreamProxy.requests().count(path) >= 1,
                    () -> state + ": the upstream was never asked about " + B + ": " + upstreamProxy.requests());
        } finally {
            upstreamProxy.clearFaults();
        }
    }

    private static void assertNotServedToB(Descriptor layer, String state) {
        String path = "/v2/" + B + "/blobs/" + layer.digest();
        upstreamProxy.requests().reset();
        ImageAssertions.assertRegistryError(client.get(path), 404, "BLOB_UNKNOWN");
        assertEquals(404, client.head(path).status(), () -> state + ": HEAD " + path);
        assertTrue(upstreamProxy.requests().count(path) >= 1,
                () -> state + ": the upstream was never asked about " + B + ": " + upstreamProxy.requests());

        assertRefused(path, state, Fault.status("/v2/" + B + "/", 401), 503, "UNAVAILABLE");
        assertRefused(path, state, Fault.challengeBasic("/v2/" + B + "/", "Basic bm9ib2R5Om5vdGhpbmc="), 503,
                "UNAVAILABLE");
        assertFalse(Files.exists(StorageLayout.layerLink(cache.root(), B, layer.digest())),
                () -> state + ": " + B + " got a link to " + layer.digest());
    }
}
