package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each registry's protocol as it is (issue 12, acceptance 3), against real distribution registries
 * behind token-auth fronts: credentials per registry from {@code docker_cache_upstream_auth_file}
 * reach only that registry's realm, and a {@code registry.k8s.io}-shaped front that redirects
 * every request to another host, which demands a token of its own realm, pulls through.
 */
@ExtendWith(PrintLogsOnFailure.class)
class RegistryAuthIT {

    private static final String REPO = "owner/app";
    private static final Closer closer = new Closer();
    private static HubFront hubFront;
    private static HubFront ghcrFront;
    private static HubFront artifacts;
    private static RedirectingFront k8s;
    private static Image hubImage;
    private static Image ghcrImage;
    private static Image pause;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() throws IOException {
        UpstreamRegistry hubRegistry = closer.register(UpstreamRegistry.start());
        UpstreamRegistry ghcrRegistry = closer.register(UpstreamRegistry.start());
        UpstreamRegistry artifactRegistry = closer.register(UpstreamRegistry.start());
        hubImage = SyntheticImage.push(new RegistryClient(hubRegistry.url()), REPO, "1",
                TestImages.randomFile("auth-hub", 64 * 1024, 1301));
        ghcrImage = SyntheticImage.push(new RegistryClient(ghcrRegistry.url()), REPO, "1",
                TestImages.randomFile("auth-ghcr", 80 * 1024, 1302));
        pause = SyntheticImage.push(new RegistryClient(artifactRegistry.url()),
                "k8s-artifacts-prod/images/pause", "3.9", TestImages.randomFile("auth-pause", 48 * 1024, 1303));
        hubFront = closer.register(HubFront.start(hubRegistry.url(), "hub-user", "hub-secret"));
        ghcrFront = closer.register(HubFront.start(ghcrRegistry.url(), "gh-user", "gh-token"));
        artifacts = closer.register(HubFront.start(artifactRegistry.url()));
        k8s = closer.register(RedirectingFront.start(artifacts.url(), "k8s-artifacts-prod/images/"));

        Path authFile = Files.createTempDirectory("auth-it").resolve("config.json");
        String hubAuthority = hubFront.url().substring("http://".length());
        Files.writeString(authFile, "{\"auths\": {"
                + "\"ghcr.io\": {\"auth\": \"" + base64("gh-user:gh-token") + "\"},"
                + "\"" + hubAuthority + "\": {\"username\": \"hub-user\", \"password\": \"hub-secret\"}}}");
        cache = closer.register(CacheProcess.of(hubFront.url())
                .env("DOCKER_CACHE_REGISTRIES", "ghcr.io=" + ghcrFront.url() + ",registry.k8s.io=" + k8s.url())
                .env("DOCKER_CACHE_UPSTREAM_AUTH_FILE", authFile.toString())
                .start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        try {
            if (cache != null) {
                StoreInvariants.check(cache);
            }
        } finally {
            closer.close();
        }
    }

    @Test
    void credentialsPerRegistry_eachRealmGetsOnlyItsOwn() {
        ImageAssertions.assertPulls(client, REPO, "1", hubImage);
        ImageAssertions.assertPulls(client, "ghcr.io/" + REPO, "1", ghcrImage);

        // Each front's token endpoint refuses any credentials but its own: none refused means
        // neither realm ever saw the other registry's (or no) credentials.
        assertEquals(0, hubFront.tokenRequestsRefused(), hubFront::toString);
        assertEquals(0, ghcrFront.tokenRequestsRefused(), ghcrFront::toString);
        assertTrue(hubFront.tokensIssuedFor(REPO) >= 1, hubFront::toString);
        assertTrue(ghcrFront.tokensIssuedFor(REPO) >= 1, ghcrFront::toString);
        // Blobs went on to each front's CDN, which refuses any Authorization.
        assertEquals(0, hubFront.cdnRejected());
        assertEquals(0, ghcrFront.cdnRejected());
        assertTrue(ghcrFront.cdnDownloads(ghcrImage.largestLayer().digest()) == 1, ghcrFront::toString);
    }

    @Test
    void registryK8sIoShape_everyRequestRedirected_theTargetsOwnChallengeAnswered() {
        ImageAssertions.assertPulls(client, "registry.k8s.io/pause", "3.9", pause);
        RegistryResponse byNs = client.get("/v2/pause/manifests/3.9?ns=registry.k8s.io",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(200, byNs.status(), byNs::describe);
        assertEquals(pause.manifest().digest(), byNs.header("Docker-Content-Digest"), byNs::describe);

        assertTrue(k8s.requests().count("/v2/pause/manifests/3.9") >= 1, k8s.requests()::toString);
        assertTrue(artifacts.tokensIssuedFor("k8s-artifacts-prod/images/pause") >= 1, artifacts::toString);
        assertEquals(0, artifacts.cdnRejected(), "an Authorization reached the presigned-URL CDN");
        assertEquals(1, artifacts.cdnDownloads(pause.largestLayer().digest()), artifacts::toString);
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
