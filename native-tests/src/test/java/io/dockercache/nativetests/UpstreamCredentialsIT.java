package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Credentials go where they belong (DESIGN.md §3 rule 5): the cache's upstream account reaches the
 * upstream's own origin and never the CDN it redirects blobs to; the client's htpasswd credentials
 * reach neither. Both hosts record every header they receive.
 */
@ExtendWith(PrintLogsOnFailure.class)
class UpstreamCredentialsIT {

    private static final String REPOSITORY = "library/creds";
    private static final String CACHE_USER = "cache-account";
    private static final String CACHE_PASSWORD = "upstream-s3cret";
    private static final String CLIENT_USER = "alice";
    private static final String CLIENT_PASSWORD = "client-s3cret";
    private static final Closer closer = new Closer();
    private static FaultProxy front;
    private static FaultProxy cdn;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static Image image;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("tag-one");
        TestImages.push(image, upstream.hostPort(), REPOSITORY, "1");
        cdn = closer.register(FaultProxy.start(upstream.url()));
        front = closer.register(FaultProxy.start(upstream.url()));
        front.inject(Fault.challengeBasic("", HtpasswdFile.basic(CACHE_USER, CACHE_PASSWORD)));
        front.inject(Fault.redirect("/blobs/", cdn.url()));
        HtpasswdFile users = HtpasswdFile.create().bcrypt(CLIENT_USER, CLIENT_PASSWORD);
        cache = closer.register(CacheProcess.of(front.url())
                .env("DOCKER_CACHE_REMOTE_USERNAME", CACHE_USER)
                .env("DOCKER_CACHE_REMOTE_PASSWORD", CACHE_PASSWORD)
                .env("DOCKER_CACHE_HTPASSWD", users.base64())
                .start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void pullThroughAuthAndCdnRedirect_upstreamCredentialsOnlyToItsOrigin_clientCredentialsNowhere() {
        String clientAuthorization = HtpasswdFile.basic(CLIENT_USER, CLIENT_PASSWORD);
        RegistryResponse manifest = client.get("/v2/" + REPOSITORY + "/manifests/1",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES, "Authorization", clientAuthorization);
        assertEquals(200, manifest.status(), manifest::describe);
        assertEquals(image.manifest().digest(), manifest.header("Docker-Content-Digest"), manifest::describe);
        for (Descriptor blob : image.blobs()) {
            Download d = client.download("/v2/" + REPOSITORY + "/blobs/" + blob.digest(),
                    "Authorization", clientAuthorization);
            assertTrue(d.isComplete(blob.digest(), blob.size()), d::toString);
        }

        List<RecordedRequest> atFront = front.recorded();
        List<RecordedRequest> atCdn = cdn.recorded();
        String cacheAuthorization = HtpasswdFile.basic(CACHE_USER, CACHE_PASSWORD);
        assertTrue(atFront.stream().anyMatch(r -> r.header("Authorization").contains(cacheAuthorization)),
                () -> "the cache never sent its upstream account to the upstream: " + atFront);
        assertEquals(image.blobs().size(), atCdn.stream().filter(r -> r.method().equals("GET")
                && r.path().contains("/blobs/")).count(), () -> "blob GETs at the CDN: " + atCdn);
        assertEquals(List.of(), atCdn.stream().filter(r -> !r.header("Authorization").isEmpty()).toList(),
                "requests that carried Authorization to the CDN (another origin)");
        for (String secret : secrets()) {
            assertEquals(List.of(), atCdn.stream().filter(r -> r.mentions(secret)).toList(),
                    "CDN requests carrying a credential");
        }
        for (String secret : clientSecrets(clientAuthorization)) {
            assertEquals(List.of(), atFront.stream().filter(r -> r.mentions(secret)).toList(),
                    "upstream requests carrying the client's credentials");
        }
        StoreInvariants.check(cache);
    }

    /** Every form a credential could travel in: the header values, the base64 parts, the passwords. */
    private static List<String> secrets() {
        return List.of(CACHE_PASSWORD, CLIENT_PASSWORD, base64(CACHE_USER + ":" + CACHE_PASSWORD),
                base64(CLIENT_USER + ":" + CLIENT_PASSWORD));
    }

    private static List<String> clientSecrets(String clientAuthorization) {
        return List.of(clientAuthorization, CLIENT_PASSWORD, base64(CLIENT_USER + ":" + CLIENT_PASSWORD));
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
