package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Matrix row Z2: two cache processes on one Azurite container fill the same uncached blob, and
 * one is killed ({@code kill -9}) in the middle of storing it: while a block is being staged,
 * while its commit is on its way, or after its commit created the blob but before it heard so.
 * The other's client gets the exact bytes, the container holds exactly one blob for the digest
 * and it is intact, and the killed replica, started again, serves it from the container.
 *
 * <p>The replica to kill fills fast; the other's upstream is throttled, so the kill always comes
 * while the other is still filling. A {@link StorageGate} stops the first at the chosen point.
 */
@ExtendWith(PrintLogsOnFailure.class)
class AzureReplicaKillIT {

    private static final String REPOSITORY = "library/replicas";
    private static final long MIB = 1L << 20;
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Azurite azurite;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        azurite = closer.register(Azurite.start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @ParameterizedTest(name = "killed at {0}")
    @EnumSource(StorageGate.Point.class)
    void oneOfTwoReplicasKilledWhileStoringTheBlob_otherServesIt_oneIntactBlobStored_killedOneServesItAfterRestart(
            StorageGate.Point point) {
        String container = "kill-" + point.name().toLowerCase().replace('_', '-');
        RandomFile file = TestImages.randomFile("replica-" + container, 20 * MIB, 70 + point.ordinal());
        new RegistryClient(upstream.url()).pushBlob(REPOSITORY, file.path(), file.digest());
        Descriptor blob = new Descriptor(file.digest(), file.size());
        String path = "/v2/" + REPOSITORY + "/blobs/" + blob.digest();

        try (FaultProxy fastUpstream = FaultProxy.start(upstream.url());
                FaultProxy slowUpstream = FaultProxy.start(upstream.url());
                StorageGate gate = StorageGate.start("http://127.0.0.1:" + azurite.port());
                CacheProcess doomed = cache(container, gate.url() + "/" + Azurite.ACCOUNT, fastUpstream.url());
                CacheProcess survivor = cache(container, azurite.endpoint(), slowUpstream.url())) {
            // About 5 s for the survivor's fill: the doomed one is stopped long before it ends.
            slowUpstream.inject(Fault.throttle(blob.digest(), 4 * MIB));
            gate.hold(point);

            CompletableFuture<Download> survivorsClient = CompletableFuture.supplyAsync(
                    () -> new RegistryClient(survivor.url()).downloadWithin(BOUND, path));
            CompletableFuture<Download> doomedClient = CompletableFuture.supplyAsync(
                    () -> new RegistryClient(doomed.url()).downloadWithin(BOUND, path));
            Await.until(BOUND, () -> gate.held() > 0, () -> "the doomed replica never got to " + point + ": " + gate
                    + "\n" + doomed.logTail());
            assertFalse(survivorsClient.isDone(), "the kill comes while the other replica still fills the blob");
            doomed.kill();

            Download survived = survivorsClient.join();
            Download killed = doomedClient.join();

            assertTrue(survived.isComplete(blob.digest(), blob.size()), () -> "the client of the replica that"
                    + " lived must get the blob whole (expected " + blob + "): " + survived + "; the killed one's: "
                    + killed);
            assertFalse(killed.timedOut(), () -> "the killed replica's client hung: " + killed);
            assertTrue(killed.isComplete(blob.digest(), blob.size()) || killed.failure() != null
                            || killed.status() < 200 || killed.status() >= 300,
                    () -> "the killed replica's client got a clean 2xx of other bytes: " + killed);
            assertEquals(1, fastUpstream.requests().count("GET", blob.digest()), fastUpstream.requests()::toString);
            assertEquals(1, slowUpstream.requests().count("GET", blob.digest()), slowUpstream.requests()::toString);
            assertOneIntactBlob(container, blob);

            gate.disarm();
            fastUpstream.requests().reset();
            doomed.restart();
            ImageAssertions.assertBlob(new RegistryClient(doomed.url()), REPOSITORY, blob);
            assertEquals(0, fastUpstream.requests().count("GET", "/blobs/"),
                    () -> "the restarted replica went upstream for a stored blob: " + fastUpstream.requests());
            assertOneIntactBlob(container, blob);
        }
    }

    /** Read past the caches: every stored blob hashes to its name, and this digest is stored once, whole. */
    private static void assertOneIntactBlob(String container, Descriptor blob) {
        String hex = blob.digest().substring("sha256:".length());
        List<AzuriteBlobs.Stored> stored = new AzuriteBlobs(azurite).read(container, "docker/registry/v2/blobs/");
        for (AzuriteBlobs.Stored s : stored) {
            String[] parts = s.name().split("/");
            assertEquals("data", parts[parts.length - 1], () -> "only blob data below blobs/: " + stored);
            assertEquals("sha256:" + parts[parts.length - 2], s.digest(), () -> s.name() + " does not hash to its name");
        }
        List<AzuriteBlobs.Stored> ours = stored.stream().filter(s -> s.name().contains(hex)).toList();
        assertEquals(1, ours.size(), () -> "exactly one blob for " + blob + ": " + stored);
        assertEquals(blob.size(), ours.get(0).size(), () -> "the stored blob's size: " + ours);
    }

    private static CacheProcess cache(String container, String endpoint, String remoteUrl) {
        CacheProcess.Builder builder = CacheProcess.of(remoteUrl)
                .env("DOCKER_CACHE_AZURE_TRY_TIMEOUT", "10s")
                .env("DOCKER_CACHE_AZURE_MAX_TRIES", "6")
                .env("DOCKER_CACHE_AZURE_RETRY_DELAY", "100ms");
        for (Map.Entry<String, String> e : azurite.cacheEnv(container, endpoint).entrySet()) {
            builder.env(e.getKey(), e.getValue());
        }
        return builder.start();
    }
}
