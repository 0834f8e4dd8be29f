package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The storage lifecycle over one Azure container shared by two replicas (Azurite): with a cap,
 * they take turns evicting (a blob lease), learn each other's uses from the shared access
 * records, and leave a store whose every blob is intact and whose retained images are served
 * from the container alone.
 */
@ExtendWith(PrintLogsOnFailure.class)
class AzureLifecycleIT {

    private static final long MIB = 1L << 20;
    private static final Closer closer = new Closer();
    private static Azurite azurite;
    private static RegistryClient upstream;
    private static UpstreamRegistry registry;

    @BeforeAll
    static void start() {
        registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        azurite = closer.register(Azurite.start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void twoReplicasWithACap_evictTheLeastRecentlyUsedAcrossBoth_storeStaysIntact() {
        Image[] images = new Image[4];
        for (int i = 0; i < images.length; i++) {
            images[i] = SyntheticImage.push(upstream, "shared/img" + i, "1",
                    TestImages.randomFile("azure-cap-" + i, 10 * MIB, 200 + i));
        }
        CacheProcess a = closer.register(replica(registry.url()));
        CacheProcess b = closer.register(replica(registry.url()));
        CacheProcess[] by = {a, b, a, b};

        for (int i = 0; i < images.length; i++) {
            ImageAssertions.assertPulls(new RegistryClient(by[i].url()), "shared/img" + i, "1", images[i]);
            Await.sleep(Duration.ofSeconds(3)); // both replicas save and merge their uses every 2 s
        }

        Await.until(Duration.ofSeconds(30), () -> gauge(a) <= 25 * MIB && gauge(b) <= 25 * MIB,
                () -> "the shared store stays over its 25 MiB cap: " + gauge(a) + " / " + gauge(b));
        double evicted = Metrics.required(a, "docker_cache_evictions_total", "reason=\"size\"")
                + Metrics.required(b, "docker_cache_evictions_total", "reason=\"size\"");
        assertTrue(evicted >= 3, "blobs evicted across both replicas: " + evicted);
        for (CacheProcess replica : new CacheProcess[] {a, b}) {
            assertFalse(replica.logTail().contains("eviction run failed"), () -> "a run failed: " + replica.logTail());
        }
        try (CacheProcess reader = replica("http://127.0.0.1:" + FreePort.next())) {
            RegistryClient fromStore = new RegistryClient(reader.url());
            for (Image kept : List.of(images[2], images[3])) {
                for (Descriptor blob : kept.blobs()) {
                    ImageAssertions.assertBlob(fromStore, kept == images[2] ? "shared/img2" : "shared/img3", blob);
                }
            }
            Download gone = fromStore.blob("shared/img0", images[0].layers().get(0).digest());
            assertFalse(gone.isComplete(images[0].layers().get(0).digest(), images[0].layers().get(0).size()),
                    () -> "the least recently used image is still in the container: " + gone);
        }
        ImageAssertions.assertPulls(new RegistryClient(b.url()), "shared/img0", "1", images[0]);
    }

    @Test
    void replicaStreamingABlob_notCutOffByAnotherReplicasEviction() throws Exception {
        Image streamed = SyntheticImage.push(upstream, "grace/streamed", "1",
                TestImages.randomFile("azure-grace-s", 12 * MIB, 301));
        Image filler = SyntheticImage.push(upstream, "grace/filler", "1",
                TestImages.randomFile("azure-grace-f", 16 * MIB, 302));
        try (CacheProcess a = replica(registry.url(), "grace"); CacheProcess b = replica(registry.url(), "grace")) {
            ImageAssertions.assertPulls(new RegistryClient(a.url()), "grace/streamed", "1", streamed);
            Await.sleep(Duration.ofSeconds(5)); // older than the other image, in both replicas' records
            Descriptor layer = streamed.layers().get(0);
            java.util.concurrent.CompletableFuture<Download> slow = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> SlowReader.download(b.url() + "/v2/grace/streamed/blobs/" + layer.digest(), 2 * MIB));
            Await.sleep(Duration.ofMillis(500));

            // a is pushed over the cap and evicts the least recently used image it knows of.
            ImageAssertions.assertPulls(new RegistryClient(a.url()), "grace/filler", "1", filler);

            Download download = slow.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(download.isComplete(layer.digest(), layer.size()),
                    () -> "b's client was cut off by a's eviction: " + download);
        }
    }

    private static long gauge(CacheProcess cache) {
        return (long) Metrics.required(cache, "docker_cache_storage_bytes");
    }

    private static CacheProcess replica(String remoteUrl) {
        return replica(remoteUrl, "lifecycle");
    }

    private static CacheProcess replica(String remoteUrl, String container) {
        CacheProcess.Builder builder = CacheProcess.of(remoteUrl)
                .env("DOCKER_CACHE_MAX_SIZE", "25MiB")
                .env("DOCKER_CACHE_EVICTION_GRACE", "0")
                .env("DOCKER_CACHE_EVICTION_INTERVAL", "2s")
                .env("DOCKER_CACHE_SCRUB_RATE", "0")
                .env("DOCKER_CACHE_AZURE_TRY_TIMEOUT", "10s")
                .env("DOCKER_CACHE_AZURE_MAX_TRIES", "6")
                .env("DOCKER_CACHE_AZURE_RETRY_DELAY", "100ms");
        for (Map.Entry<String, String> e : azurite.cacheEnv(container, azurite.endpoint()).entrySet()) {
            builder.env(e.getKey(), e.getValue());
        }
        return builder.start();
    }
}
