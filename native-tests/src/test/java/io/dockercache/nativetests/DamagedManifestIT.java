package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Matrix D3 for manifests: a committed manifest file damaged at rest (a flipped byte keeps its
 * size, a cut one does not) is never served under a digest it does not match, neither after a
 * restart nor while the cache runs (memory cache on, with the scrub; memory cache off, every hit
 * read from storage). It is removed, fetched again from the upstream, stored whole, then a plain hit.
 */
@ExtendWith(PrintLogsOnFailure.class)
class DamagedManifestIT {

    private static final Closer closer = new Closer();
    private static RegistryClient upstream;
    private static FaultProxy upstreamProxy;
    private CacheProcess cache;

    /** What happens to the manifest's data file. */
    enum Damage {
        FLIP_A_BYTE, TRUNCATE
    }

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        upstream = new RegistryClient(registry.url());
        upstreamProxy = closer.register(FaultProxy.start(registry.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @AfterEach
    void checkStoreAndStop() {
        if (cache != null) {
            try {
                StoreInvariants.check(cache);
                StoreInvariants.assertLayoutWhole(cache.root());
            } finally {
                cache.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void damagedWhileDown_firstServeAfterRestart_neverUnderItsDigest_fetchedAgain(Damage damage) {
        Image image = pushed("down-" + damage);
        cache = CacheProcess.of(upstreamProxy.url()).env("DOCKER_CACHE_SCRUB_RATE", "0").start();
        RegistryClient client = new RegistryClient(cache.url());
        String repository = repository("down-" + damage);
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());
        cache.stop();
        damage(cache.blobData(image.manifest().digest()), damage);
        cache.restart();
        upstreamProxy.requests().reset();

        RegistryResponse head = client.head("/v2/" + repository + "/manifests/" + image.manifest().digest(),
                "Accept", RegistryClient.ALL_MANIFEST_TYPES);
        assertEquals(200, head.status(), head::describe);
        assertEquals(Long.toString(image.manifest().size()), head.header("Content-Length"), head::describe);
        assertEquals(image.manifest().digest(), head.header("Docker-Content-Digest"), head::describe);
        ImageAssertions.assertManifest(client, repository, image.manifest().digest(), image.manifest(),
                image.mediaType());
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());

        assertFetchedAgainStoredWholeThenAHit(client, repository, image);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void damagedWhileRunning_withoutMemoryCache_nextHitHashesIt_fetchedAgain(Damage damage) {
        Image image = pushed("nomem-" + damage);
        cache = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_SCRUB_RATE", "0")
                .env("DOCKER_CACHE_MEMORY_CACHE_SIZE", "0")
                .start();
        RegistryClient client = new RegistryClient(cache.url());
        String repository = repository("nomem-" + damage);
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());
        damage(cache.blobData(image.manifest().digest()), damage);
        upstreamProxy.requests().reset();

        ImageAssertions.assertManifest(client, repository, image.manifest().digest(), image.manifest(),
                image.mediaType());
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());

        assertFetchedAgainStoredWholeThenAHit(client, repository, image);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void damagedWhileRunning_memoryServesTheVerifiedBytes_scrubRemovesTheFile_fetchedAgain(Damage damage) {
        Image image = pushed("scrub-" + damage);
        cache = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_SCRUB_RATE", "200MiB/s")
                .env("DOCKER_CACHE_EVICTION_INTERVAL", "1s")
                .start();
        RegistryClient client = new RegistryClient(cache.url());
        String repository = repository("scrub-" + damage);
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());
        Path data = cache.blobData(image.manifest().digest());
        damage(data, damage);

        // Held in memory, as verified when it was stored: still the right bytes.
        ImageAssertions.assertManifest(client, repository, image.manifest().digest(), image.manifest(),
                image.mediaType());
        Await.until(Duration.ofSeconds(20), () -> !Files.exists(data) || image.manifest().digest().equals(Sha256.of(data)),
                () -> "the scrub did not remove the damaged manifest " + data);
        upstreamProxy.requests().reset();

        ImageAssertions.assertManifest(client, repository, image.manifest().digest(), image.manifest(),
                image.mediaType());
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());

        assertFetchedAgainStoredWholeThenAHit(client, repository, image);
    }

    private void assertFetchedAgainStoredWholeThenAHit(RegistryClient client, String repository, Image image) {
        String digest = image.manifest().digest();
        assertTrue(upstreamProxy.requests().count("GET", "/manifests/" + digest) >= 1,
                () -> "the damaged manifest was not fetched again: " + upstreamProxy.requests());
        assertEquals(1.0, Metrics.required(cache, "docker_cache_evictions_total", "reason=\"damaged\""));
        Path data = cache.blobData(digest);
        Await.until(Duration.ofSeconds(10), () -> Files.exists(data) && digest.equals(Sha256.of(data)),
                () -> "the manifest was not stored whole again: " + data);
        upstreamProxy.requests().reset();
        ImageAssertions.assertManifest(client, repository, digest, image.manifest(), image.mediaType());
        ImageAssertions.assertManifest(client, repository, "1", image.manifest(), image.mediaType());
        assertEquals(0, upstreamProxy.requests().count("GET", "/manifests/"),
                () -> "stored again, the manifest is a plain hit: " + upstreamProxy.requests());
    }

    private static String repository(String label) {
        return "damaged/" + label.toLowerCase().replace('_', '-');
    }

    private static Image pushed(String label) {
        return SyntheticImage.push(upstream, repository(label), "1",
                TestImages.randomFile("damaged-manifest-" + label, 4096, label.hashCode()));
    }

    private static void damage(Path file, Damage damage) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            if (damage == Damage.TRUNCATE) {
                f.setLength(f.length() / 2);
            } else {
                long offset = f.length() / 2;
                f.seek(offset);
                int b = f.read();
                f.seek(offset);
                f.write(b ^ 0x01);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
