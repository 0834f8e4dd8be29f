package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream behind a Docker-Hub-like front: Bearer tokens per repository scope, blobs
 * redirected (307) to a CDN that refuses requests carrying {@code Authorization}.
 */
@ExtendWith(PrintLogsOnFailure.class)
class TokenAuthIT {

    private static final Closer closer = new Closer();
    private static HubFront hub;
    private static RegistryClient client;
    private static final String PASSWORD = "s3cret-pass";
    private static HubFront privateHub;
    private static CacheProcess privateCache;
    private static RegistryClient privateClient;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        TestImages.push(TestImages.big(), upstream.hostPort(), "library/big", "1");
        TestImages.push(TestImages.small("pair-a"), upstream.hostPort(), "library/pair", "a");
        TestImages.push(TestImages.small("pair-b"), upstream.hostPort(), "library/pair", "b");
        TestImages.push(TestImages.small("again"), upstream.hostPort(), "library/again", "1");
        hub = closer.register(HubFront.start(upstream.url()));
        // TTL 0: every tag request is revalidated upstream, so a second pull needs a token again.
        CacheProcess cache = closer.register(CacheProcess.of(hub.url()).tagTtlSeconds(0).start());
        client = new RegistryClient(cache.url());
        privateHub = closer.register(HubFront.start(upstream.url(), "cache-user", PASSWORD));
        privateCache = closer.register(CacheProcess.of(privateHub.url())
                .env("DOCKER_CACHE_REMOTE_USERNAME", "cache-user")
                .env("DOCKER_CACHE_REMOTE_PASSWORD", PASSWORD)
                .start());
        privateClient = new RegistryClient(privateCache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void pull_behindBearerAuthAndCdnRedirect_succeedsWithOneTokenAndOneCdnDownloadPerBlob() {
        Image big = TestImages.big();

        ImageAssertions.assertPulls(client, "library/big", "1", big);

        assertEquals(1, hub.tokensIssuedFor("library/big"), () -> "tokens issued for library/big: " + hub);
        assertEquals(0, hub.cdnRejected(), () -> "requests to the CDN carried Authorization: " + hub);
        for (Descriptor blob : big.blobs()) {
            assertEquals(1, hub.cdnDownloads(blob.digest()), () -> "CDN downloads of " + blob + ": " + hub);
        }
    }

    @Test
    void twoImagesOfOneRepository_shareOneToken() {
        ImageAssertions.assertPulls(client, "library/pair", "a", TestImages.small("pair-a"));
        ImageAssertions.assertPulls(client, "library/pair", "b", TestImages.small("pair-b"));

        assertEquals(1, hub.tokensIssuedFor("library/pair"), () -> "tokens issued for library/pair: " + hub);
        assertEquals(0, hub.cdnRejected(), () -> "requests to the CDN carried Authorization: " + hub);
    }

    @Test
    void pullTwice_reusesTheTokenAndDownloadsEachBlobFromTheCdnOnce() {
        Image again = TestImages.small("again");

        ImageAssertions.assertPulls(client, "library/again", "1", again);
        ImageAssertions.assertPulls(client, "library/again", "1", again);

        assertEquals(1, hub.tokensIssuedFor("library/again"), () -> "tokens issued for library/again: " + hub);
        for (Descriptor blob : again.blobs()) {
            assertEquals(1, hub.cdnDownloads(blob.digest()), () -> "CDN downloads of " + blob + ": " + hub);
        }
        assertEquals(0, hub.cdnRejected(), () -> "requests to the CDN carried Authorization: " + hub);
    }

    @Test
    void configuredCredentials_areSentToTheTokenRealm_neverToTheCdnNorTheLog() throws IOException {
        Image pair = TestImages.small("pair-a");

        ImageAssertions.assertPulls(privateClient, "library/pair", "a", pair);

        assertEquals(0, privateHub.tokenRequestsRefused(),
                () -> "token requests without the credentials: " + privateHub);
        assertEquals(1, privateHub.tokensIssuedFor("library/pair"), () -> "tokens issued: " + privateHub);
        assertEquals(0, privateHub.cdnRejected(), () -> "requests to the CDN carried Authorization: " + privateHub);
        assertFalse(Files.readString(privateCache.log(), StandardCharsets.ISO_8859_1).contains(PASSWORD),
                () -> "the cache logged the upstream password: " + privateCache.log());
    }
}
