package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every registry through one cache (issue 12, acceptance 1): two real distribution registries
 * stand in for Docker Hub (the default upstream) and ghcr.io, each holding a different
 * {@code owner/app:1}. containerd's {@code ?ns=} and the {@code /v2/ghcr.io/...} path pick the
 * registry; an unconfigured one is refused without a connection; blobs and links stay with the
 * registry that gave them.
 */
@ExtendWith(PrintLogsOnFailure.class)
class EveryRegistryIT {

    private static final String REPO = "owner/app";
    private static final Closer closer = new Closer();
    private static FaultProxy hub;
    private static FaultProxy ghcr;
    private static Image hubImage;
    private static Image ghcrImage;
    private static Image hubLimited;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry hubRegistry = closer.register(UpstreamRegistry.start());
        UpstreamRegistry ghcrRegistry = closer.register(UpstreamRegistry.start());
        hubImage = SyntheticImage.push(new RegistryClient(hubRegistry.url()), REPO, "1",
                TestImages.randomFile("every-hub", 96 * 1024, 1201));
        ghcrImage = SyntheticImage.push(new RegistryClient(ghcrRegistry.url()), REPO, "1",
                TestImages.randomFile("every-ghcr", 128 * 1024, 1202));
        hubLimited = SyntheticImage.push(new RegistryClient(hubRegistry.url()), "owner/limited", "1",
                TestImages.randomFile("every-hub-limited", 4 * 1024, 1203));
        SyntheticImage.push(new RegistryClient(ghcrRegistry.url()), "owner/limited", "1",
                TestImages.randomFile("every-ghcr-limited", 4 * 1024, 1204));
        hub = closer.register(FaultProxy.start(hubRegistry.url()));
        ghcr = closer.register(FaultProxy.start(ghcrRegistry.url()));
        cache = closer.register(CacheProcess.of(hub.url())
                .env("DOCKER_CACHE_REGISTRIES", "ghcr.io=" + ghcr.url())
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
    void manifestByTag_withoutNsAndWithDockerIo_isTheDefaultUpstreams() {
        assertDigest(hubImage, "/v2/" + REPO + "/manifests/1");
        assertDigest(hubImage, "/v2/" + REPO + "/manifests/1?ns=docker.io");
        assertDigest(hubImage, "/v2/docker.io/" + REPO + "/manifests/1");
    }

    @Test
    void manifestByTag_nsGhcrAndPathForm_isGhcrs_andStoredAsHostSlashRepo() {
        assertDigest(ghcrImage, "/v2/" + REPO + "/manifests/1?ns=ghcr.io");
        assertDigest(ghcrImage, "/v2/ghcr.io/" + REPO + "/manifests/1");
        assertNotEquals(hubImage.manifest().digest(), ghcrImage.manifest().digest());

        Path tagLink = StorageLayout.tagLink(cache.root(), "ghcr.io/" + REPO, "1");
        ImageAssertions.awaitFiles(java.time.Duration.ofSeconds(10), List.of(tagLink));
        assertEquals(ghcrImage.manifest().digest(), read(tagLink));
        // The default upstream's repository keeps registry:2's layout, beside it.
        assertDigest(hubImage, "/v2/" + REPO + "/manifests/1");
        Path hubLink = StorageLayout.tagLink(cache.root(), REPO, "1");
        ImageAssertions.awaitFiles(java.time.Duration.ofSeconds(10), List.of(hubLink));
        assertEquals(hubImage.manifest().digest(), read(hubLink));

        RegistryResponse catalog = client.get("/v2/_catalog");
        List<Object> names = new JsonObject(catalog.text()).getJsonArray("repositories").getList();
        assertTrue(names.contains("ghcr.io/" + REPO) && names.contains(REPO), catalog::describe);
    }

    @Test
    void unconfiguredRegistry_isNameUnknownNamingIt_andNothingIsSentAnywhere() {
        double before = upstreamRequests();
        long hubSeen = hub.requests().all().size();
        long ghcrSeen = ghcr.requests().all().size();

        RegistryResponse refused = client.get("/v2/owner/quayonly/manifests/1?ns=quay.io",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        RegistryResponse blob = client.get("/v2/owner/quayonly/blobs/" + ghcrImage.largestLayer().digest()
                + "?ns=quay.io");

        ImageAssertions.assertRegistryError(refused, 404, "NAME_UNKNOWN");
        ImageAssertions.assertRegistryError(blob, 404, "NAME_UNKNOWN");
        assertTrue(refused.text().contains("quay.io"), refused::describe);
        assertEquals(before, upstreamRequests(), "the cache sent an upstream request for ?ns=quay.io");
        assertEquals(hubSeen, hub.requests().all().size());
        assertEquals(ghcrSeen, ghcr.requests().all().size());
    }

    @Test
    void ghcrLayer_cachedOnce_servedByBothForms_neverForTheDefaultsRepositoryOfTheSameName() {
        Descriptor layer = ghcrImage.largestLayer();
        assertDigest(ghcrImage, "/v2/" + REPO + "/manifests/1?ns=ghcr.io");

        Download byNs = client.download("/v2/" + REPO + "/blobs/" + layer.digest() + "?ns=ghcr.io");
        Download byPath = client.download("/v2/ghcr.io/" + REPO + "/blobs/" + layer.digest());

        assertTrue(byNs.isComplete(layer.digest(), layer.size()), byNs::toString);
        assertTrue(byPath.isComplete(layer.digest(), layer.size()), byPath::toString);
        assertEquals(1, ghcr.requests().count("GET", "/blobs/" + layer.digest()),
                () -> "ghcr.io's layer was fetched more than once: " + ghcr.requests());
        Path data = cache.blobData(layer.digest());
        assertTrue(Files.isRegularFile(data), "the layer is stored once, by digest: " + data);

        // Docker Hub's owner/app never had this layer: the default upstream is asked, and says no.
        RegistryResponse crossed = client.get("/v2/" + REPO + "/blobs/" + layer.digest());
        ImageAssertions.assertRegistryError(crossed, 404, "BLOB_UNKNOWN");
        assertTrue(hub.requests().count("/blobs/" + layer.digest()) >= 1,
                () -> "the default upstream was not asked before refusing: " + hub.requests());
        assertEquals(1, ghcr.requests().count("GET", "/blobs/" + layer.digest()));
    }

    @Test
    void upstreamMeters_carryTheRegistryLabel() {
        assertDigest(ghcrImage, "/v2/ghcr.io/" + REPO + "/manifests/1");
        String scrape = Metrics.scrape(cache);

        assertTrue(Metrics.sum(scrape, "docker_cache_upstream_requests_total", "registry=\"ghcr.io\"") > 0, scrape);
        assertTrue(Metrics.sum(scrape, "docker_cache_upstream_backoff_seconds", "registry=\"ghcr.io\"") != null, scrape);
        assertFalse(scrape.contains("registry=\"quay.io\""), "a label from a request");
    }

    @Test
    void rateLimitOfOneRegistry_holdsBackThatRegistryOnly() {
        ghcr.inject(Fault.rateLimited("/manifests/", "2"));
        try {
            RegistryResponse limited = client.get("/v2/owner/limited/manifests/1?ns=ghcr.io",
                    "Accept", RegistryClient.ALL_MANIFEST_TYPES);
            ImageAssertions.assertRegistryError(limited, 429, "TOOMANYREQUESTS");
            assertTrue(Metrics.required(cache, "docker_cache_upstream_backoff_seconds", "registry=\"ghcr.io\"") > 0);

            // Docker Hub's window is its own: it stays closed, and its uncached tag is fetched.
            assertDigest(hubLimited, "/v2/owner/limited/manifests/1");
            assertEquals(0.0, Metrics.required(cache, "docker_cache_upstream_backoff_seconds",
                    "registry=\"127.0.0.1\""));
        } finally {
            ghcr.clearFaults();
            // The other tests of this class need ghcr.io again: its 2 s window passes.
            Await.until(java.time.Duration.ofSeconds(10), () -> Metrics.required(cache,
                    "docker_cache_upstream_backoff_seconds", "registry=\"ghcr.io\"") == 0,
                    () -> "ghcr.io's back-off window did not close");
        }
    }

    private static void assertDigest(Image expected, String path) {
        RegistryResponse response = client.get(path, "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(200, response.status(), response::describe);
        assertEquals(expected.manifest().digest(), response.header("Docker-Content-Digest"), response::describe);
        assertEquals(expected.manifest().digest(), Sha256.of(response.body()), response::describe);
    }

    private static double upstreamRequests() {
        Double total = Metrics.sum(Metrics.scrape(cache), "docker_cache_upstream_requests_total");
        return total == null ? 0 : total;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (java.io.IOException e) {
            throw new AssertionError(file + ": " + e, e);
        }
    }
}
