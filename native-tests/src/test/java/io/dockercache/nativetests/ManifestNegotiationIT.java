package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Content negotiation for clients that take no index (DESIGN.md §3 rules 4 and 6): only a tag is
 * negotiated, as distribution does; a by-digest request gets exactly that digest; and a client
 * HEAD never costs an upstream GET, not even when the index behind a tag is not cached.
 */
@ExtendWith(PrintLogsOnFailure.class)
class ManifestNegotiationIT {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final Closer closer = new Closer();
    private static ImageIndex multi;
    private static Image amd64;
    private static FaultProxy upstreamProxy;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        multi = TestImages.multiArch();
        amd64 = multi.images().stream().filter(i -> i.architecture().equals("amd64")).findFirst().orElseThrow();
        // One repository per test, so that what one test caches never answers another's request.
        for (String repository : new String[] {"library/list-head", "library/index-head", "library/digest-head",
                "library/digest-get"}) {
            TestImages.push(multi, upstream.hostPort(), repository, "1");
        }
        new RegistryClient(upstream.url()).pushManifest("library/list-head", "list", DOCKER_LIST, dockerList(multi));
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        CacheProcess cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @BeforeEach
    void resetCounts() {
        upstreamProxy.requests().reset();
    }

    @Test
    void headOfUncachedListTag_clientTakesNoIndex_isTheUpstreamsAmd64Answer_withoutUpstreamGet() {
        RegistryResponse head = client.head("/v2/library/list-head/manifests/list", "Accept", OCI_MANIFEST);

        assertEquals(200, head.status(), head::describe);
        assertEquals(amd64.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);
        assertEquals(OCI_MANIFEST, head.header("Content-Type"), head::describe);
        assertEquals(Long.toString(amd64.manifest().size()), head.header("Content-Length"), head::describe);
        assertNoUpstreamGet();

        RegistryResponse get = client.get("/v2/library/list-head/manifests/list", "Accept", OCI_MANIFEST);
        assertEquals(head.header("Docker-Content-Digest"), get.header("Docker-Content-Digest"),
                () -> "GET and HEAD of one tag disagree: " + get.describe());
    }

    /** distribution refuses an OCI index to such a client: a HEAD cannot learn more without a GET. */
    @Test
    void headOfUncachedOciIndexTag_clientTakesNoIndex_is404AsUpstream_withoutUpstreamGet() {
        RegistryResponse head = client.head("/v2/library/index-head/manifests/1", "Accept", OCI_MANIFEST);

        assertEquals(404, head.status(), head::describe);
        ImageAssertions.assertApiVersionHeader(head);
        assertNoUpstreamGet();
    }

    @Test
    void headByDigestOfUncachedIndex_clientTakesNoIndex_isThatIndex_withoutUpstreamGet() {
        RegistryResponse head = client.head("/v2/library/digest-head/manifests/" + multi.index().digest(),
                "Accept", OCI_MANIFEST);

        assertEquals(200, head.status(), head::describe);
        assertEquals(multi.index().digest(), head.header("Docker-Content-Digest"), head::describe);
        assertEquals(multi.mediaType(), head.header("Content-Type"), head::describe);
        assertNoUpstreamGet();
    }

    @Test
    void getByDigestOfIndex_clientTakesNoIndex_isThatIndexByteForByte() {
        for (int attempt = 0; attempt < 2; attempt++) { // a miss, then a hit
            RegistryResponse get = client.get("/v2/library/digest-get/manifests/" + multi.index().digest(),
                    "Accept", OCI_MANIFEST);

            assertEquals(200, get.status(), get::describe);
            assertEquals(multi.index().digest(), Sha256.of(get.body()), get::describe);
            assertEquals(multi.index().digest(), get.header("Docker-Content-Digest"), get::describe);
            assertEquals(multi.mediaType(), get.header("Content-Type"), get::describe);
        }
    }

    private static void assertNoUpstreamGet() {
        assertEquals(0, upstreamProxy.requests().count("GET", "/manifests/"),
                () -> "a client HEAD became an upstream GET: " + upstreamProxy.requests());
    }

    /** A Docker manifest list of the index's images, which distribution negotiates for such clients. */
    private static byte[] dockerList(ImageIndex index) {
        JsonArray manifests = new JsonArray();
        for (Image image : index.images()) {
            manifests.add(new JsonObject().put("mediaType", image.mediaType())
                    .put("digest", image.manifest().digest())
                    .put("size", image.manifest().size())
                    .put("platform", new JsonObject().put("architecture", image.architecture()).put("os", "linux")));
        }
        return new JsonObject().put("schemaVersion", 2).put("mediaType", DOCKER_LIST).put("manifests", manifests)
                .encode().getBytes(StandardCharsets.UTF_8);
    }
}
