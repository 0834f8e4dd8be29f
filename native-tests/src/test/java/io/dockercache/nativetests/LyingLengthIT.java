package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Matrix row I3: an upstream that lies about a blob's length. Whatever the framing says, only
 * bytes that hash to the digest are committed (so their size is the blob's too), a client never
 * gets a clean complete 2xx of other bytes, and a body that stops short of its announced length
 * ends soon after {@code docker_cache_upstream_idle_timeout}, not later.
 */
@ExtendWith(PrintLogsOnFailure.class)
class LyingLengthIT {

    private static final String REPOSITORY = "library/lying";
    private static final long BLOB_SIZE = 4L << 20;
    private static final Duration IDLE = Duration.ofSeconds(2);
    /** What the cache may take past the idle timeout: its watchdog ticks at a quarter of it. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    /** Every case but the stall is over within milliseconds on loopback: this tells an answer from a hang. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(30);
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
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_UPSTREAM_IDLE_TIMEOUT", IDLE.toSeconds() + "s")
                .start());
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

    @Test
    void contentLengthSmallerThanBody_clientNeverGetsACleanBlob_nothingCommitted_retrySucceeds() {
        Descriptor blob = push("short-length", 31);
        upstreamProxy.inject(Fault.shortLength(blob.digest(), 1000));

        Download lied = client.downloadWithin(ANSWER_BOUND, path(blob));

        assertBroken(lied, blob);
        assertTrue(lied.bytes() < blob.size() - 1000, () -> "more bytes than the upstream announced: " + lied);
        assertNotCommitted(blob);
        assertRetrySucceeds(blob);
    }

    @Test
    void contentLengthLargerThanBody_thenStall_endsSoonAfterTheIdleTimeout_nothingCommitted() {
        Descriptor blob = push("long-length", 32);
        upstreamProxy.inject(Fault.longLength(blob.digest(), 1000));

        long started = System.nanoTime();
        Download lied = client.downloadWithin(IDLE.plus(MARGIN).multipliedBy(3), path(blob));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertBroken(lied, blob);
        assertTrue(lied.bytes() <= blob.size(), () -> "more bytes than the body: " + lied);
        assertTrue(took.compareTo(IDLE.plus(MARGIN)) < 0,
                () -> "a body short of its announced length held the client " + took + "; the idle timeout is "
                        + IDLE + ": " + lied);
        assertNotCommitted(blob);
        assertRetrySucceeds(blob);
    }

    @Test
    void chunkedWithoutLength_wholeBody_servedWhole_committedVerified() {
        Descriptor blob = push("chunked-whole", 33);
        upstreamProxy.inject(Fault.chunked(blob.digest()));

        Download chunked = client.downloadWithin(ANSWER_BOUND, path(blob));

        assertTrue(chunked.isComplete(blob.digest(), blob.size()),
                () -> "the right bytes without a length must still be served whole (expected " + blob + "): "
                        + chunked);
        assertCommittedIntact(blob);
        RegistryResponse head = client.head(path(blob));
        assertEquals(200, head.status(), head::describe);
        assertEquals(Long.toString(blob.size()), head.header("Content-Length"), "HEAD of the stored blob");
    }

    @Test
    void chunkedWithoutLength_bodyEndsCleanlyButShort_clientNeverGetsACleanBlob_nothingCommitted() {
        Descriptor blob = push("chunked-short", 34);
        upstreamProxy.inject(Fault.chunkedEndingAfter(blob.digest(), blob.size() - 1));

        Download lied = client.downloadWithin(ANSWER_BOUND, path(blob));

        assertBroken(lied, blob);
        assertTrue(lied.bytes() <= blob.size() - 1, () -> "more bytes than the upstream sent: " + lied);
        assertNotCommitted(blob);
        assertRetrySucceeds(blob);
    }

    @Test
    void headSizeDiffersFromGetSize_getServesTheBody_onlyTheVerifiedSizeIsStoredAndAnnounced() {
        Descriptor blob = push("head-length", 35);
        upstreamProxy.inject(Fault.headLength(blob.digest(), 12345));

        // Not stored yet: the cache can only pass on what the upstream's HEAD says.
        RegistryResponse before = client.head(path(blob));
        assertEquals(200, before.status(), before::describe);
        Download got = client.downloadWithin(ANSWER_BOUND, path(blob));

        assertTrue(got.isComplete(blob.digest(), blob.size()), () -> "the GET's own body is the blob (expected "
                + blob + "), whatever a HEAD said: " + got);
        assertEquals(Long.toString(blob.size()), got.header("Content-Length"), "the GET's Content-Length");
        assertCommittedIntact(blob);
        RegistryResponse after = client.head(path(blob));
        assertEquals(200, after.status(), after::describe);
        assertEquals(Long.toString(blob.size()), after.header("Content-Length"),
                "HEAD of the stored blob announces its verified size, not the upstream HEAD's");
        assertEquals(1, upstreamProxy.requests().count("GET", blob.digest()),
                () -> "one upstream GET for one fill: " + upstreamProxy.requests());
    }

    private static Descriptor push(String name, long seed) {
        RandomFile file = TestImages.randomFile("lying-" + name, BLOB_SIZE, seed);
        upstreamClient.pushBlob(REPOSITORY, file.path(), file.digest());
        upstreamProxy.requests().reset();
        return new Descriptor(file.digest(), file.size());
    }

    private static String path(Descriptor blob) {
        return "/v2/" + REPOSITORY + "/blobs/" + blob.digest();
    }

    /**
     * Ended within its bound, and not as a clean complete 2xx: a 200 that broke off (reset or
     * premature end), or a 503 registry error sent before any byte.
     */
    private static void assertBroken(Download download, Descriptor expected) {
        assertFalse(download.timedOut(), () -> "no answer within the bound (expected " + expected + "): " + download);
        assertFalse(download.status() >= 200 && download.status() < 300 && download.failure() == null,
                () -> "a lying upstream reached the client as a clean success (expected " + expected + "): "
                        + download);
        assertTrue(download.status() == 200 && download.failure() != null
                        || download.status() == 503 && "UNAVAILABLE".equals(download.errorCode()),
                () -> "expected a 200 that breaks off or a 503 UNAVAILABLE (expected " + expected + "): " + download);
    }

    /**
     * The fill is over (its staging file is gone: deleted on failure, renamed on a commit) and it
     * committed nothing.
     */
    private static void assertNotCommitted(Descriptor blob) {
        Path data = cache.blobData(blob.digest());
        Await.until(Duration.ofSeconds(10), () -> StoreInvariants.stagingLeftovers(cache.root()).isEmpty(),
                () -> "the fill did not end: " + StoreInvariants.stagingLeftovers(cache.root()));
        assertFalse(Files.exists(data), () -> "bytes of a lying upstream were committed to " + data);
        assertTrue(cache.isAlive(), "the cache is still running");
        StoreInvariants.assertHold(cache.root());
    }

    private static void assertRetrySucceeds(Descriptor blob) {
        upstreamProxy.clearFaults();
        ImageAssertions.assertBlob(client, REPOSITORY, blob);
        assertCommittedIntact(blob);
    }

    private static void assertCommittedIntact(Descriptor blob) {
        Path data = cache.blobData(blob.digest());
        ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(data));
        assertEquals(blob.digest(), Sha256.of(data), "the committed blob's bytes");
        assertEquals(blob.size(), sizeOf(data), "the committed blob's size");
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
