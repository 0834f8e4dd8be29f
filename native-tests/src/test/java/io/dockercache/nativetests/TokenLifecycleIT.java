package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The Bearer token lifecycle (matrix row S3) against the real distribution registry behind
 * {@link HubFront}: how long a token is used, what one expiry costs, a token the registry revokes
 * mid-pull, and a token endpoint that fails, stalls or trickles. The tag TTL is 0, so every tag
 * request is an upstream HEAD that needs a valid token: the token requests counted are exactly the
 * ones the cache's token handling decides to make.
 */
@ExtendWith(PrintLogsOnFailure.class)
class TokenLifecycleIT {

    private static final long KIB = 1024;
    /** The cache's upstream timeouts in the tests of a slow token endpoint. */
    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final Duration CONNECT = Duration.ofSeconds(1);
    /** A token exchange ends within connect + idle timeout; the rest is slack for a busy machine. */
    private static final Duration BOUND = CONNECT.plus(IDLE).plusSeconds(4);
    private static final Closer closer = new Closer();
    private static RegistryClient upstream;
    private static HubFront hub;
    private CacheProcess cache;

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        hub = closer.register(HubFront.start(registry.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void checkStoreAndStop() throws IOException {
        hub.resetTokens();
        if (cache != null) {
            try {
                StoreInvariants.check(cache);
                // Matrix S5: HubFront's tokens are "tok-<uuid>"; none may reach the log, nor any header.
                String log = Files.readString(cache.log(), StandardCharsets.ISO_8859_1);
                assertFalse(log.contains("tok-") || log.contains("Bearer "),
                        () -> "a token or an Authorization value in the cache's log " + cache.log());
            } finally {
                cache.close();
            }
        }
    }

    @Test
    void noExpiresIn_tokenReusedForTheSpecDefault_manyTagRequestsCostOneToken() {
        Image image = push("life/default", 501);
        hub.tokenLifetime(null);
        RegistryClient client = startCache();

        ImageAssertions.assertPulls(client, "life/default", "1", image);
        for (int i = 0; i < 10; i++) {
            ImageAssertions.assertManifest(client, "life/default", "1", image.manifest(), image.mediaType());
        }

        // A missing expires_in means 60 s (distribution's token spec): not "expired at once", not "forever".
        assertEquals(1, hub.tokensIssuedFor("life/default"), () -> "tokens for 11 pulls in seconds: " + hub);
        assertEquals(1, hub.challengesFor("life/default"), () -> "only the first request was challenged: " + hub);
    }

    @Test
    void expiresIn1_eachExpiryCostsExactlyOneTokenRequest_concurrentRequestsShareIt() {
        Image image = push("life/short", 502);
        hub.tokenLifetime(1);
        RegistryClient client = startCache();
        ImageAssertions.assertPulls(client, "life/short", "1", image);
        int afterPull = hub.tokensIssuedFor("life/short");
        assertTrue(afterPull >= 1, () -> "no token for the pull: " + hub);

        Await.sleep(Duration.ofMillis(1500)); // the token has expired, here and in the cache
        ImageAssertions.assertManifest(client, "life/short", "1", image.manifest(), image.mediaType());
        assertEquals(afterPull + 1, hub.tokensIssuedFor("life/short"),
                () -> "one tag request after the expiry: " + hub);

        Await.sleep(Duration.ofMillis(1500));
        List<CompletableFuture<RegistryResponse>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(CompletableFuture.supplyAsync(() -> client.manifest("life/short", "1")));
        }
        for (CompletableFuture<RegistryResponse> answer : burst) {
            assertEquals(200, answer.join().status(), () -> answer.join().describe());
        }
        // Eight requests at once after the expiry: one token request between them, not eight (no storm).
        assertEquals(afterPull + 2, hub.tokensIssuedFor("life/short"), () -> "eight tag requests at once: " + hub);
    }

    @Test
    void tokenRevokedMidPull_oneNewTokenAndOneRetry_imageIntact() {
        Image image = push("life/revoked", 503);
        RegistryClient client = startCache();
        ImageAssertions.assertManifest(client, "life/revoked", "1", image.manifest(), image.mediaType());
        assertEquals(1, hub.tokensIssuedFor("life/revoked"), () -> hub.toString());

        hub.revokeTokens(); // between the manifest and the layers, as a key rotation would
        long requestsBefore = hub.frontRequests().count("GET", "/v2/life/revoked/blobs/");
        for (Descriptor blob : image.blobs()) {
            ImageAssertions.assertBlob(client, "life/revoked", blob);
        }

        assertEquals(2, hub.tokensIssuedFor("life/revoked"),
                () -> "the revoked token is replaced once, then the new one is reused: " + hub);
        // Each blob: one GET refused (the first with the revoked token only), then with the new token.
        assertEquals(image.blobs().size() + 1, hub.frontRequests().count("GET", "/v2/life/revoked/blobs/") - requestsBefore,
                () -> "blob GETs at the registry: " + hub.frontRequests().matching("/v2/life/revoked/blobs/"));
    }

    @Test
    void registryRefusesEveryToken_oneNewTokenPerRequest_noLoop_clearDenial() {
        Image image = push("life/refused", 504);
        RegistryClient client = startCache();
        ImageAssertions.assertManifest(client, "life/refused", "1", image.manifest(), image.mediaType());
        int tokens = hub.tokensIssuedFor("life/refused");
        int challenges = hub.challengesFor("life/refused");
        hub.refuseEveryToken(true);

        Descriptor layer = image.layers().get(0);
        for (int i = 0; i < 3; i++) {
            Download refused = client.downloadWithin(Duration.ofSeconds(20), "/v2/life/refused/blobs/" + layer.digest());
            assertEquals(403, refused.status(), () -> "a registry refusing a fresh token: " + refused);
            assertEquals("DENIED", refused.errorCode(), () -> refused.toString());
        }

        // Per client request: the cached token refused, one new token, refused too, and the answer.
        assertEquals(tokens + 3, hub.tokensIssuedFor("life/refused"), () -> "three refused requests: " + hub);
        assertEquals(challenges + 6, hub.challengesFor("life/refused"), () -> "three refused requests: " + hub);
        hub.refuseEveryToken(false);
        ImageAssertions.assertPulls(client, "life/refused", "1", image);
    }

    @Test
    void tokenEndpointAnswers500_clientGetsUnavailableAtOnce_oneTokenRequestEach_cachedTagStillServed() {
        Image cached = push("life/cached500", 505);
        Image cold = push("life/cold500", 506);
        hub.tokenLifetime(1);
        RegistryClient client = startCache();
        ImageAssertions.assertPulls(client, "life/cached500", "1", cached);
        Await.sleep(Duration.ofMillis(1500)); // that token has expired: the next revalidation needs a new one
        hub.tokenEndpoint(HubFront.TokenEndpoint.FAIL_500);
        long before = hub.tokenRequests();

        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            RegistryResponse failed = client.manifest("life/cold500", "1");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            ImageAssertions.assertRegistryError(failed, 503, "UNAVAILABLE");
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, () -> "a failed token request took " + took);
        }
        assertEquals(before + 3, hub.tokenRequests(), () -> "three failing requests: " + hub.frontRequests());
        // The tag stored before the token service broke is served stale, as for an upstream outage.
        ImageAssertions.assertManifest(client, "life/cached500", "1", cached.manifest(), cached.mediaType());

        hub.tokenEndpoint(HubFront.TokenEndpoint.ISSUE);
        ImageAssertions.assertPulls(client, "life/cold500", "1", cold);
    }

    @Test
    void tokenEndpointStalls_requestsFailWithinTheIdleTimeout_recoversAfterwards() {
        assertSlowTokenEndpointFailsInTime("life/stall", 507, HubFront.TokenEndpoint.STALL);
    }

    @Test
    void tokenEndpointTrickles_requestsFailWithinABound_recoversAfterwards() {
        // A byte every 500 ms never trips a 2 s idle timeout: only a deadline on the whole exchange ends it.
        assertSlowTokenEndpointFailsInTime("life/trickle", 508, HubFront.TokenEndpoint.TRICKLE);
    }

    private void assertSlowTokenEndpointFailsInTime(String repository, long seed, HubFront.TokenEndpoint slow) {
        Image image = push(repository, seed);
        cache = CacheProcess.of(hub.url()).tagTtlSeconds(0)
                .env("DOCKER_CACHE_UPSTREAM_IDLE_TIMEOUT", IDLE.toSeconds() + "s")
                .env("DOCKER_CACHE_UPSTREAM_CONNECT_TIMEOUT", CONNECT.toSeconds() + "s")
                .start();
        RegistryClient client = new RegistryClient(cache.url());
        hub.tokenEndpoint(slow);
        long before = hub.tokenRequests();

        List<CompletableFuture<Download>> waiting = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> client.downloadWithin(Duration.ofSeconds(30),
                    "/v2/" + repository + "/manifests/1", "Accept", RegistryClient.ALL_MANIFEST_TYPES)));
        }
        for (CompletableFuture<Download> answer : waiting) {
            Download failed = answer.join();
            assertEquals(503, failed.status(), () -> "behind a " + slow + " token endpoint: " + failed);
            assertEquals("UNAVAILABLE", failed.errorCode(), () -> failed.toString());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(BOUND) < 0, () -> "4 requests behind a " + slow + " token endpoint took "
                + took + " with timeouts of " + CONNECT + " (connect) and " + IDLE + " (idle)");
        assertTrue(hub.tokenRequests() - before <= 2, () -> "4 concurrent requests share one token request: "
                + hub.frontRequests().matching("/token"));

        hub.tokenEndpoint(HubFront.TokenEndpoint.ISSUE);
        ImageAssertions.assertPulls(client, repository, "1", image);
    }

    private RegistryClient startCache() {
        cache = CacheProcess.of(hub.url()).tagTtlSeconds(0).start();
        return new RegistryClient(cache.url());
    }

    private static Image push(String repository, long seed) {
        return SyntheticImage.push(upstream, repository, "1",
                TestImages.randomFile(repository.replace('/', '-'), 64 * KIB, seed));
    }
}
