package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fill shared across repositories never skips the upstream's say-so (DESIGN.md §3, review #4):
 * repository B, which the upstream refuses, races requests into a fill started for repository A,
 * and joins it while it runs and after it committed; none of them is served, none links the blob.
 */
@ExtendWith(PrintLogsOnFailure.class)
class FillRaceIT {

    private static final String OWNER = "library/private";
    private static final String INTRUDER = "library/intruder";
    private static final int ROUNDS = 16;
    private static final int INTRUDERS_PER_ROUND = 6;
    /** Slow enough that each fill lasts a while: intruders arrive before, at and during its start. */
    private static final long OWNER_BYTES_PER_SECOND = 1L << 20;
    private static final Closer closer = new Closer();
    private static final List<RandomFile> raced = new ArrayList<>();
    private static RandomFile joined;
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        RegistryClient seed = new RegistryClient(upstream.url());
        for (int i = 0; i < ROUNDS; i++) {
            raced.add(TestImages.randomFile("race", 256 << 10, 100 + i));
            seed.pushBlob(OWNER, raced.get(i).path(), raced.get(i).digest());
        }
        joined = TestImages.randomFile("joined", 3L << 20, 99);
        seed.pushBlob(OWNER, joined.path(), joined.digest());
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        upstreamProxy.inject(Fault.throttle("/v2/" + OWNER + "/blobs/", OWNER_BYTES_PER_SECOND));
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        client = new RegistryClient(cache.url());
        pool = Executors.newFixedThreadPool(INTRUDERS_PER_ROUND + 1);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        closer.close();
    }

    @BeforeEach
    void resetCounts() {
        upstreamProxy.requests().reset();
    }

    @Test
    void otherRepositoryRacingAFill_isNeverServed_beforeDuringOrAfter_andNeverLinked() throws Exception {
        List<Download> intruders = new ArrayList<>();
        for (RandomFile blob : raced) {
            intruders.addAll(race(blob));
            ImageAssertions.assertBlob(client, OWNER, new Descriptor(blob.digest(), blob.size()));
            ImageAssertions.awaitFiles(Duration.ofSeconds(10), List.of(cache.blobData(blob.digest())));
            intruders.add(client.blob(INTRUDER, blob.digest())); // after the commit
        }

        List<Download> served = intruders.stream().filter(d -> d.status() != 404).toList();
        assertEquals(List.of(), served, "requests of " + INTRUDER + " answered other than 404 BLOB_UNKNOWN");
        for (RandomFile blob : raced) {
            assertFalse(Files.exists(StorageLayout.layerLink(cache.root(), INTRUDER, blob.digest())),
                    () -> INTRUDER + " got a link to " + blob.digest());
            assertTrue(upstreamProxy.requests().count("/v2/" + INTRUDER + "/blobs/" + blob.digest()) > 0,
                    () -> "the upstream was never asked about " + INTRUDER + ": " + upstreamProxy.requests());
        }
        StoreInvariants.assertHold(cache.root());
    }

    @Test
    void sameRepositoryJoiningItsRunningFill_costsNoUpstreamHead() throws Exception {
        String blobPath = "/v2/" + OWNER + "/blobs/" + joined.digest();
        Descriptor blob = new Descriptor(joined.digest(), joined.size());
        Future<Download> first = pool.submit(() -> client.blob(OWNER, joined.digest()));
        Await.until(Duration.ofSeconds(10), () -> upstreamProxy.requests().count("GET", blobPath) == 1,
                () -> "the fill never reached the upstream: " + upstreamProxy.requests());

        Download second = client.blob(OWNER, joined.digest());
        RegistryResponse head = client.head(blobPath);

        assertTrue(second.isComplete(blob.digest(), blob.size()), () -> "the joining GET: " + second);
        assertEquals(Long.toString(blob.size()), head.header("Content-Length"), head::describe);
        Download firstDone = first.get(1, TimeUnit.MINUTES);
        assertTrue(firstDone.isComplete(blob.digest(), blob.size()), () -> "the first GET: " + firstDone);
        assertEquals(0, upstreamProxy.requests().count("HEAD", blobPath),
                () -> "requests of the repository the fill is for asked the upstream again: "
                        + upstreamProxy.requests().matching(joined.digest()));
        assertEquals(1, upstreamProxy.requests().count("GET", blobPath), upstreamProxy.requests()::toString);
        StoreInvariants.assertHold(cache.root());
    }

    /**
     * One GET for the owner and, right behind it, GETs for the intruder, spread over the moments
     * the owner's fill is looked up, registered and started; returns the intruders' downloads.
     */
    private static List<Download> race(RandomFile blob) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Future<Download> owner = pool.submit(() -> {
            go.await();
            return client.blob(OWNER, blob.digest());
        });
        List<Future<Download>> intruders = new ArrayList<>();
        for (int i = 0; i < INTRUDERS_PER_ROUND; i++) {
            long delayNanos = i * 250_000L;
            intruders.add(pool.submit(() -> {
                go.await();
                LockSupport.parkNanos(delayNanos);
                return client.blob(INTRUDER, blob.digest());
            }));
        }
        go.countDown();
        owner.get(1, TimeUnit.MINUTES); // may fail when an intruder's fill started first; retried after
        List<Download> downloads = new ArrayList<>();
        for (Future<Download> intruder : intruders) {
            downloads.add(intruder.get(1, TimeUnit.MINUTES));
        }
        return downloads;
    }
}
