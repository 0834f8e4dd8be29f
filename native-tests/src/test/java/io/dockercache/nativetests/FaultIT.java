package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes are verified before anything is published: a flipped byte or a cut body from the upstream
 * never reaches the client as a clean, complete response, and nothing is committed.
 */
@ExtendWith(PrintLogsOnFailure.class)
class FaultIT {

    private static final long BLOB_SIZE = 8L << 20;
    private static final Closer closer = new Closer();
    private static RegistryClient upstreamClient;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        upstreamClient = new RegistryClient(upstream.url());
        TestImages.push(TestImages.small("faulty-manifest"), upstream.hostPort(), "library/faulty", "manifest");
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void clearFaultsAndCheckTheStore() {
        upstreamProxy.clearFaults();
        StoreInvariants.check(cache);
    }

    static Stream<Arguments> blobFaults() {
        return Stream.of(
                Arguments.of("flip the first byte", 1, Fault.Kind.FLIP_BYTE, 0L),
                Arguments.of("flip a middle byte", 2, Fault.Kind.FLIP_BYTE, BLOB_SIZE / 2),
                Arguments.of("flip the last byte", 3, Fault.Kind.FLIP_BYTE, BLOB_SIZE - 1),
                Arguments.of("cut after 1 MiB", 4, Fault.Kind.CUT_AFTER, 1L << 20),
                Arguments.of("cut before the last byte", 5, Fault.Kind.CUT_AFTER, BLOB_SIZE - 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blobFaults")
    void brokenUpstreamBlob_transferFails_nothingCommitted_nextRequestSucceeds(String label, int seed,
            Fault.Kind kind, long amount) {
        RandomFile file = TestImages.randomFile("fault", BLOB_SIZE, seed);
        upstreamClient.pushBlob("library/faulty", file.path(), file.digest());
        Descriptor blob = new Descriptor(file.digest(), file.size());
        upstreamProxy.inject(new Fault(kind, blob.digest(), amount));

        Download broken = client.blob("library/faulty", blob.digest());

        assertTransferFailed(broken, blob);
        assertNotCommitted(blob);

        upstreamProxy.clearFaults();
        ImageAssertions.assertBlob(client, "library/faulty", blob);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(blob.digest())));
        assertEquals(blob.digest(), Sha256.of(cache.blobData(blob.digest())), "the committed blob's bytes");
    }

    @Test
    void brokenUpstreamManifest_byDigest_isNeitherServedNorCommitted() {
        Image image = TestImages.small("faulty-manifest");
        String path = "/v2/library/faulty/manifests/" + image.manifest().digest();
        upstreamProxy.inject(Fault.flipByte("/manifests/", 20));

        Download broken = client.download(path, "Accept", RegistryClient.ALL_MANIFEST_TYPES);

        assertTransferFailed(broken, image.manifest());
        assertNotCommitted(image.manifest());

        upstreamProxy.clearFaults();
        ImageAssertions.assertManifest(client, "library/faulty", image.manifest().digest(), image.manifest(),
                image.mediaType());
    }

    /** An error status, or a transfer that broke off: never a clean end of a wrong or short body. */
    private static void assertTransferFailed(Download download, Descriptor expected) {
        boolean cleanEnd = download.status() >= 200 && download.status() < 300 && download.failure() == null;
        assertFalse(cleanEnd, () -> "the client got a cleanly ended " + download.status() + " response although the"
                + " upstream's bytes were broken (expected " + expected + "): " + download);
    }

    /** Neither now nor a moment later: a cache may clean up just after the client's transfer. */
    private static void assertNotCommitted(Descriptor blob) {
        Path data = cache.blobData(blob.digest());
        Await.sleep(Duration.ofSeconds(2));
        assertFalse(Files.exists(data), () -> "unverified bytes were committed to " + data);
        assertTrue(cache.isAlive(), "the cache is still running");
    }
}
