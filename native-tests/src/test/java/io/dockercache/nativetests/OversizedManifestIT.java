package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upstream "manifest" that is far too big, or never ends (matrix I7, CVE-2017-11468): the cache
 * stops reading at its 4 MiB bound, answers its client with a registry error within seconds, stores
 * nothing, and runs on with a 64 MiB heap; the next good answer is served as usual.
 */
@ExtendWith(PrintLogsOnFailure.class)
class OversizedManifestIT {

    private static final long MANIFEST_BOUND = 4L << 20;
    /** What the cache may have made the proxy send past its bound: socket and relay buffers. */
    private static final long SLACK = 16L << 20;
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final Closer closer = new Closer();
    private static RegistryClient upstream;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        upstreamProxy = closer.register(FaultProxy.start(registry.url()));
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).maxHeap("64m")
                .jvmArgs("-XX:+ExitOnOutOfMemoryError").start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void checkStore() throws IOException {
        upstreamProxy.clearFaults();
        assertTrue(cache.isAlive(), () -> "the cache died:\n" + cache.logTail());
        // The class name, not the flag the command line (logged first) names.
        assertFalse(Files.readString(cache.log(), StandardCharsets.ISO_8859_1).contains("java.lang.OutOfMemoryError"),
                "OutOfMemoryError in the cache's log");
        StoreInvariants.check(cache);
        StoreInvariants.assertLayoutWhole(cache.root());
    }

    @Test
    void endlessManifestByDigest_refusedAtTheBound_clearErrorInSeconds_nothingStored() {
        // As if a client asked for the manifest named by a 1 GiB layer's digest.
        String digest = Sha256.of("a layer of a gibibyte, not a manifest".getBytes(StandardCharsets.UTF_8));
        upstreamProxy.inject(Fault.endlessBody("/manifests/" + digest));
        long before = upstreamProxy.generatedBytes();

        Download answer = client.downloadWithin(WITHIN, "/v2/big/endless/manifests/" + digest,
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);

        assertRefused(answer, before);
        assertFalse(Files.exists(cache.blobData(digest)), "nothing stored under the asked digest");
        assertFalse(Files.exists(cache.root().resolve("docker/registry/v2/repositories/big/endless")),
                "no link made for the repository");
    }

    @Test
    void manifestOf200MiB_byTag_refusedAtTheBound_nothingStored_goodAnswerServedAfterwards() {
        Image image = SyntheticImage.push(upstream, "big/tagged", "1", TestImages.randomFile("big-tagged", 4096, 131));
        // The tag's HEAD is answered by the registry; the GET by the digest it names gets 200 MiB.
        upstreamProxy.inject(Fault.oversizedBody("/manifests/" + image.manifest().digest(), 200L << 20));
        long before = upstreamProxy.generatedBytes();

        Download answer = client.downloadWithin(WITHIN, "/v2/big/tagged/manifests/1",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);

        assertRefused(answer, before);
        assertFalse(Files.exists(StorageLayout.tagLink(cache.root(), "big/tagged", "1")), "no tag stored");
        assertFalse(Files.exists(cache.blobData(image.manifest().digest())), "no manifest stored");
        upstreamProxy.clearFaults();
        ImageAssertions.assertPulls(client, "big/tagged", "1", image);
    }

    @Test
    void endlessTagList_refusedAtItsBound_clearError() {
        SyntheticImage.push(upstream, "big/tags", "1", TestImages.randomFile("big-tags", 1024, 132));
        upstreamProxy.inject(Fault.endlessBody("/v2/big/tags/tags/list"));
        long before = upstreamProxy.generatedBytes();

        Download answer = client.downloadWithin(WITHIN, "/v2/big/tags/tags/list");

        assertFalse(answer.timedOut(), () -> "no answer within " + WITHIN + ": " + answer);
        assertEquals(503, answer.status(), answer::toString);
        assertEquals("UNAVAILABLE", answer.errorCode(), answer::toString);
        long sent = upstreamProxy.generatedBytes() - before;
        assertTrue(sent < (8L << 20) + SLACK, () -> "the cache read " + sent + " bytes of an endless tag list");
    }

    private static void assertRefused(Download answer, long generatedBefore) {
        assertFalse(answer.timedOut(), () -> "no answer within " + WITHIN + ": " + answer);
        assertEquals(503, answer.status(), answer::toString);
        assertEquals("UNAVAILABLE", answer.errorCode(), answer::toString);
        // The cache hung up: the proxy stops generating once its connection is reset.
        long[] sent = {0};
        Await.until(Duration.ofSeconds(5), () -> {
            long now = upstreamProxy.generatedBytes();
            Await.sleep(Duration.ofMillis(300));
            sent[0] = upstreamProxy.generatedBytes() - generatedBefore;
            return upstreamProxy.generatedBytes() == now;
        }, () -> "the proxy still sends: the cache keeps reading the body");
        assertTrue(sent[0] < MANIFEST_BOUND + SLACK, () -> "the cache read " + sent[0] + " bytes of a manifest");
        assertTrue(sent[0] >= MANIFEST_BOUND, () -> "refused before its bound, after " + sent[0] + " bytes");
    }
}
