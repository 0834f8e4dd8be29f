package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Registry API v2 pull side at the wire: methods, validation, errors, Range, headers. */
@ExtendWith(PrintLogsOnFailure.class)
class ProtocolIT {

    private static final String VALID_DIGEST =
            "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    private static final Closer closer = new Closer();
    private static Image image;
    private static RandomFile cachedBlob;
    private static RandomFile uncachedBlob;
    private static RandomFile headOnlyBlob;
    private static Image headOnlyImage;
    private static RegistryClient upstreamClient;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("protocol");
        TestImages.push(image, upstream.hostPort(), "library/proto", "1");
        RegistryClient seed = new RegistryClient(upstream.url());
        upstreamClient = seed;
        // Its manifest is only ever asked for with HEAD, so it stays uncached upstream-side.
        headOnlyImage = SyntheticImage.push(seed, "library/proto-head", "1",
                TestImages.randomFile("head-only-layer", 4096, 14));
        cachedBlob = TestImages.randomFile("range-cached", 1 << 20, 11);
        uncachedBlob = TestImages.randomFile("range-uncached", 1 << 20, 12);
        headOnlyBlob = TestImages.randomFile("head-only", 1 << 20, 13);
        seed.pushBlob("library/proto", cachedBlob.path(), cachedBlob.digest());
        seed.pushBlob("library/proto", uncachedBlob.path(), uncachedBlob.digest());
        seed.pushBlob("library/proto", headOnlyBlob.path(), headOnlyBlob.digest());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        client = new RegistryClient(cache.url());
        ImageAssertions.assertBlob(client, "library/proto", new Descriptor(cachedBlob.digest(), cachedBlob.size()));
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(cachedBlob.digest())));
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
    void versionCheck_answers200EmptyObject() {
        RegistryResponse response = client.get("/v2/");

        assertEquals(200, response.status(), response::describe);
        assertEquals("{}", response.text().trim(), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "POST, /v2/library/proto/blobs/uploads/",
        "PUT, /v2/library/proto/blobs/uploads/some-upload?digest=" + VALID_DIGEST,
        "PATCH, /v2/library/proto/blobs/uploads/some-upload",
        "PUT, /v2/library/proto/manifests/1",
        "DELETE, /v2/library/proto/manifests/" + VALID_DIGEST,
        "DELETE, /v2/library/proto/blobs/" + VALID_DIGEST,
        "POST, /v2/",
    })
    void mutation_is405Unsupported_withoutUpstreamRequest(String method, String path) {
        RegistryResponse response = client.send(method, path);

        ImageAssertions.assertRegistryError(response, 405, "UNSUPPORTED");
        assertNoUpstreamRequest();
    }

    static Stream<Arguments> malformedNames() {
        return Stream.of(
                Arguments.of("uppercase", "Library/Proto"),
                Arguments.of("4000 characters", "a".repeat(4000)),
                Arguments.of("4000 characters in 2000 components", "ab" + "/b".repeat(1999)),
                Arguments.of("leading separator", "-proto"),
                Arguments.of("trailing separator", "proto-"),
                Arguments.of("three dots", "pro...to"),
                Arguments.of("four underscores", "pro____to"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedNames")
    void malformedName_is400NameInvalid_withoutUpstreamRequest(String label, String name) {
        List<String> paths = new ArrayList<>(List.of("/v2/" + name + "/manifests/1", "/v2/" + name + "/tags/list"));
        if (name.length() < 1000) {
            // Keeps the request line of the long names within the HTTP server's default 4096 limit.
            paths.add("/v2/" + name + "/blobs/" + VALID_DIGEST);
        }
        for (String path : paths) {
            ImageAssertions.assertRegistryError(client.get(path), 400, "NAME_INVALID");
        }
        assertNoUpstreamRequest();
    }

    /**
     * A reference without a colon that is no valid tag names no manifest that can exist: 404
     * {@code MANIFEST_UNKNOWN}, as distribution answers and the OCI conformance pull workflow expects
     * for {@code .INVALID_MANIFEST_NAME}; the upstream is never asked.
     */
    static Stream<Arguments> referencesThatAreNoTag() {
        return Stream.of(
                Arguments.of("the conformance suite's", ".INVALID_MANIFEST_NAME"),
                Arguments.of("leading dash", "-leading-dash"),
                Arguments.of("leading dot", ".leading-dot"),
                Arguments.of("plus", "has+plus"),
                Arguments.of("129 characters", "t".repeat(129)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("referencesThatAreNoTag")
    void referenceThatIsNoTag_is404ManifestUnknown_withoutUpstreamRequest(String label, String reference) {
        ImageAssertions.assertRegistryError(client.manifest("library/proto", reference), 404, "MANIFEST_UNKNOWN");
        RegistryResponse head = client.head("/v2/library/proto/manifests/" + reference,
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(404, head.status(), head::describe);
        ImageAssertions.assertApiVersionHeader(head);
        assertNoUpstreamRequest();
    }

    /** The name is judged first: a bad name with a reference that is no tag is still NAME_INVALID. */
    @Test
    void malformedNameWithReferenceThatIsNoTag_is400NameInvalid_withoutUpstreamRequest() {
        ImageAssertions.assertRegistryError(client.get("/v2/Library/Proto/manifests/.INVALID_MANIFEST_NAME"), 400,
                "NAME_INVALID");
        assertNoUpstreamRequest();
    }

    static Stream<String> malformedDigests() {
        return Stream.of("sha256:abc", "sha256:A" + "0".repeat(63), "sha256:" + "g".repeat(64), "nodigest",
                "sha256:" + "0".repeat(65), "md5:d41d8cd98f00b204e9800998ecf8427e");
    }

    @ParameterizedTest
    @MethodSource("malformedDigests")
    void malformedBlobDigest_is400DigestInvalid_withoutUpstreamRequest(String digest) {
        ImageAssertions.assertRegistryError(client.get("/v2/library/proto/blobs/" + digest), 400, "DIGEST_INVALID");
        RegistryResponse head = client.head("/v2/library/proto/blobs/" + digest);
        assertEquals(400, head.status(), head::describe); // a HEAD answer has no body to carry the code
        ImageAssertions.assertApiVersionHeader(head);
        assertNoUpstreamRequest();
    }

    /** A reference without a colon is a tag, so only these are malformed digests there. */
    static Stream<String> malformedManifestDigests() {
        return malformedDigests().filter(digest -> digest.contains(":"));
    }

    @ParameterizedTest
    @MethodSource("malformedManifestDigests")
    void malformedManifestDigest_is400DigestInvalid_withoutUpstreamRequest(String digest) {
        // A reference with a colon can only be a digest, so a malformed one is DIGEST_INVALID.
        ImageAssertions.assertRegistryError(client.get("/v2/library/proto/manifests/" + digest), 400,
                "DIGEST_INVALID");
        assertNoUpstreamRequest();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-such-tag", VALID_DIGEST})
    void unknownManifest_is404ManifestUnknown(String reference) {
        ImageAssertions.assertRegistryError(client.manifest("library/proto", reference), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void unknownBlob_is404BlobUnknown() {
        ImageAssertions.assertRegistryError(client.get("/v2/library/proto/blobs/" + VALID_DIGEST), 404, "BLOB_UNKNOWN");
    }

    @Test
    void manifest_isServedWithItsDigestAndMediaType() {
        ImageAssertions.assertPulls(client, "library/proto", "1", image);
    }

    @Test
    void headOfUncachedBlob_reportsSizeAndDigest_withoutUpstreamGet() {
        RegistryResponse head = client.head("/v2/library/proto/blobs/" + headOnlyBlob.digest());

        assertEquals(200, head.status(), head::describe);
        assertEquals(Long.toString(headOnlyBlob.size()), head.header("Content-Length"), head::describe);
        assertEquals(headOnlyBlob.digest(), head.header("Docker-Content-Digest"), head::describe);
        ImageAssertions.assertApiVersionHeader(head);
        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "a client HEAD became an upstream GET: " + upstreamProxy.requests());
    }

    @Test
    void headOfCachedBlob_reportsSizeAndDigest_withoutUpstreamRequest() {
        RegistryResponse head = client.head("/v2/library/proto/blobs/" + cachedBlob.digest());

        assertEquals(200, head.status(), head::describe);
        assertEquals(Long.toString(cachedBlob.size()), head.header("Content-Length"), head::describe);
        assertEquals(cachedBlob.digest(), head.header("Docker-Content-Digest"), head::describe);
        ImageAssertions.assertApiVersionHeader(head);
        assertNoUpstreamRequest();
    }

    /** Only a GET of the upstream's list could answer it; distribution answers 405 too. */
    @Test
    void headOfTagsList_is405_withoutUpstreamRequest() {
        RegistryResponse head = client.head("/v2/library/proto/tags/list");

        assertEquals(405, head.status(), head::describe);
        ImageAssertions.assertApiVersionHeader(head);
        assertNoUpstreamRequest();
    }

    @Test
    void tagsList_namesTheRepositoryAndItsTag() {
        RegistryResponse response = client.get("/v2/library/proto/tags/list");

        assertEquals(200, response.status(), response::describe);
        assertEquals("library/proto", response.json().getString("name"), response::describe);
        assertTrue(response.json().getJsonArray("tags").contains("1"), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
    }

    @Test
    void catalog_listsACachedRepository() {
        ImageAssertions.assertPulls(client, "library/proto", "1", image);

        RegistryResponse response = client.get("/v2/_catalog");

        assertEquals(200, response.status(), response::describe);
        assertTrue(response.json().getJsonArray("repositories").contains("library/proto"), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bytes=0-0, 0, 0", "bytes=1000-1999, 1000, 1999", "bytes=1048000-, 1048000, 1048575",
        "bytes=-100, 1048476, 1048575", "bytes=1048000-9999999, 1048000, 1048575"})
    void range_onCachedBlob_is206WithExactlyThoseBytes(String range, long first, long last) {
        assertRange(cachedBlob, range, first, last);
    }

    @Test
    void range_onUncachedBlob_is206WithExactlyThoseBytes() {
        assertRange(uncachedBlob, "bytes=100000-100099", 100000, 100099);
    }

    @Test
    void rangeBeyondTheEnd_onCachedBlob_is416() {
        RegistryResponse response = client.get("/v2/library/proto/blobs/" + cachedBlob.digest(),
                "Range", "bytes=" + cachedBlob.size() + "-");

        assertEquals(416, response.status(), response::describe);
        assertEquals("bytes */" + cachedBlob.size(), response.header("Content-Range"), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
    }

    /** The headers a client relies on are the upstream's own, cold (a HEAD upstream) and warm. */
    @Test
    void headOfManifestByDigest_coldThenWarm_sameStatusLengthDigestAndTypeAsTheUpstream() {
        String path = "/v2/library/proto-head/manifests/" + headOnlyImage.manifest().digest();
        RegistryResponse upstreamHead = upstreamClient.head(path, "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(200, upstreamHead.status(), upstreamHead::describe);

        RegistryResponse cold = client.head(path, "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertManifestHead(cold, upstreamHead, headOnlyImage);
        assertEquals(0, upstreamProxy.requests().count("GET", "/manifests/"),
                () -> "a client HEAD became an upstream GET: " + upstreamProxy.requests());

        ImageAssertions.assertPulls(client, "library/proto", "1", image);
        String warmPath = "/v2/library/proto/manifests/" + image.manifest().digest();
        RegistryResponse upstreamWarmHead = upstreamClient.head(warmPath, "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        upstreamProxy.requests().reset();
        RegistryResponse warm = client.head(warmPath, "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertManifestHead(warm, upstreamWarmHead, image);
        assertNoUpstreamRequest();
    }

    private static void assertManifestHead(RegistryResponse head, RegistryResponse upstreamHead, Image expected) {
        assertEquals(200, head.status(), head::describe);
        assertEquals(0, head.body().length, head::describe);
        assertEquals(Long.toString(expected.manifest().size()), head.header("Content-Length"), head::describe);
        assertEquals(upstreamHead.header("Content-Length"), head.header("Content-Length"), head::describe);
        assertEquals(expected.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);
        assertEquals(upstreamHead.header("Content-Type"), head.header("Content-Type"), head::describe);
        assertEquals(expected.mediaType(), head.header("Content-Type"), head::describe);
        ImageAssertions.assertApiVersionHeader(head);
    }

    /** A blob's Content-Type and Content-Length are what the upstream sends, on a GET and a HEAD. */
    @Test
    void blobGetAndHead_contentTypeAndLengthAsTheUpstreamSendsThem() {
        String path = "/v2/library/proto/blobs/" + cachedBlob.digest();
        RegistryResponse upstreamGet = upstreamClient.get(path);
        RegistryResponse upstreamHead = upstreamClient.head(path);
        assertEquals(200, upstreamGet.status(), upstreamGet::describe);

        RegistryResponse get = client.get(path);
        RegistryResponse head = client.head(path);

        assertEquals(200, get.status(), get::describe);
        assertEquals(cachedBlob.digest(), Sha256.of(get.body()), get::describe);
        assertEquals(upstreamGet.header("Content-Type"), get.header("Content-Type"), get::describe);
        assertEquals(upstreamGet.header("Content-Length"), get.header("Content-Length"), get::describe);
        assertEquals(200, head.status(), head::describe);
        assertEquals(upstreamHead.header("Content-Type"), head.header("Content-Type"), head::describe);
        assertEquals(upstreamHead.header("Content-Length"), head.header("Content-Length"), head::describe);
        assertEquals(cachedBlob.digest(), head.header("Docker-Content-Digest"), head::describe);
    }

    /**
     * {@code last-pos} before {@code first-pos} is an invalid range-spec, which a server may reject
     * (RFC 9110 §14.2): 416, as the distribution registry (Go's ServeContent) answers, never the
     * whole blob as if the client had asked for it.
     */
    @Test
    void rangeEndingBeforeItStarts_onCachedBlob_is416() {
        RegistryResponse response = client.get("/v2/library/proto/blobs/" + cachedBlob.digest(),
                "Range", "bytes=500-0");

        assertEquals(416, response.status(), response::describe);
        assertEquals("bytes */" + cachedBlob.size(), response.header("Content-Range"), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
    }

    /** Each case on its own blob the cache has never seen: Range on a cold miss (distribution ignores it). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"bytes=-100, 4096, 3996, 4095", "bytes=500-, 4096, 500, 4095", "bytes=500-1499, 4096, 500, 1499",
        "bytes=2000-5000, 4096, 2000, 4095"})
    void range_onUncachedBlob_206WithExactlyThoseBytes_thenStoredWhole(String range, long size, long first, long last) {
        RandomFile blob = coldBlob(range, size);

        assertRange(blob, range, first, last);

        assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()), upstreamProxy.requests()::toString);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(blob.digest())));
        assertEquals(blob.digest(), Sha256.of(cache.blobData(blob.digest())), "stored whole, verified");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bytes=4096-", "bytes=5000-10000", "bytes=500-0"})
    void unsatisfiableRange_onUncachedBlob_is416(String range) {
        RandomFile blob = coldBlob(range, 4096);

        RegistryResponse response = client.get("/v2/library/proto/blobs/" + blob.digest(), "Range", range);

        assertEquals(416, response.status(), response::describe);
        assertEquals("bytes */" + blob.size(), response.header("Content-Range"), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
        StoreInvariants.check(cache);
    }

    /** A blob of {@code size} bytes pushed upstream now, its seed derived from the case. */
    private static RandomFile coldBlob(String label, long size) {
        RandomFile blob = TestImages.randomFile("range-cold-" + label.replaceAll("[^0-9-]", "_"), size,
                label.hashCode());
        upstreamClient.pushBlob("library/proto", blob.path(), blob.digest());
        upstreamProxy.requests().reset();
        return blob;
    }

    private static void assertRange(RandomFile blob, String range, long first, long last) {
        RegistryResponse response = client.get("/v2/library/proto/blobs/" + blob.digest(), "Range", range);

        assertEquals(206, response.status(), response::describe);
        assertEquals("bytes " + first + "-" + last + "/" + blob.size(), response.header("Content-Range"),
                response::describe);
        assertArrayEquals(blob.slice(first, (int) (last - first + 1)), response.body(),
                () -> "the bytes of " + range + " of " + blob.digest());
        assertEquals(Long.toString(last - first + 1), response.header("Content-Length"), response::describe);
        ImageAssertions.assertApiVersionHeader(response);
    }

    private static void assertNoUpstreamRequest() {
        assertEquals(List.of(), upstreamProxy.requests().all(), "requests that reached the upstream");
    }
}
