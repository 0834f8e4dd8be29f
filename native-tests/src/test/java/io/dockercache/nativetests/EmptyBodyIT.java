package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upstream that answers 200 with an empty body (a proxy that lost the bytes, distribution
 * PR #4872) is a mismatch like any other: only the empty blob's digest may have no bytes.
 */
@ExtendWith(PrintLogsOnFailure.class)
class EmptyBodyIT {

    private static final String REPOSITORY = "library/empty";
    private static final String EMPTY_DIGEST =
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final Closer closer = new Closer();
    private static RegistryClient upstreamClient;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        upstreamClient = new RegistryClient(upstream.url());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void emptyUpstreamBody_failsForANonEmptyDigest_isCleanOnlyForTheEmptyOne() {
        RandomFile file = TestImages.randomFile("empty-body", 1 << 20, 41);
        upstreamClient.pushBlob(REPOSITORY, file.path(), file.digest());
        upstreamProxy.inject(Fault.emptyBody("/blobs/" + file.digest()));

        Download broken = client.blob(REPOSITORY, file.digest());

        assertFalse(broken.status() >= 200 && broken.status() < 300 && broken.failure() == null,
                () -> "an empty upstream body reached the client as a clean success: " + broken);
        assertTrue(broken.failure() != null || broken.status() == 503,
                () -> "expected a reset or a 503 registry error before the headers: " + broken);
        assertNotCommitted(file.digest());
        StoreInvariants.assertHold(cache.root());

        upstreamProxy.clearFaults();
        ImageAssertions.assertBlob(client, REPOSITORY, new Descriptor(file.digest(), file.size()));

        assertEquals(EMPTY_DIGEST, upstreamClient.pushBlob(REPOSITORY, new byte[0]), "the empty blob's digest");
        Download empty = client.blob(REPOSITORY, EMPTY_DIGEST);
        assertTrue(empty.isComplete(EMPTY_DIGEST, 0), () -> "the empty blob is a clean, empty 200: " + empty);
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(EMPTY_DIGEST)));
        StoreInvariants.assertHold(cache.root());
    }

    /** Neither now nor a moment later: the failed fill cleans up just after the client's transfer. */
    private static void assertNotCommitted(String digest) {
        Path data = cache.blobData(digest);
        Await.sleep(Duration.ofSeconds(2));
        assertFalse(Files.exists(data), () -> "unverified (empty) bytes were committed to " + data);
        assertTrue(cache.isAlive(), "the cache is still running");
    }
}
