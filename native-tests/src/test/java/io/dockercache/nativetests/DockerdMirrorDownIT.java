package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Matrix N6(b): the cache is down (its port refuses). A real dockerd's {@code docker pull} through
 * it as mirror does not hang: dockerd logs that the mirror failed and that it moves on to the next
 * endpoint, Docker Hub, which cannot be reached offline, so the pull fails within a bound. Once the
 * cache is back, the same dockerd pulls through it again.
 */
@ExtendWith(PrintLogsOnFailure.class)
class DockerdMirrorDownIT {

    /** Far above what a refused connection and a failed name lookup take; well below a hang. */
    private static final Duration PULL_BOUND = Duration.ofSeconds(90);
    /** dockerd 20.10's message (distribution/pull.go) when an endpoint fails and another is left. */
    private static final String NEXT_ENDPOINT = "Attempting next endpoint for pull after error";

    private static final Closer closer = new Closer();
    private static Image image;
    private static CacheProcess cache;
    private static Dockerd dockerd;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("mirrordown");
        TestImages.push(image, upstream.hostPort(), "library/mirrordown", "1");
        cache = closer.register(CacheProcess.of(upstream.url()).start());
        dockerd = closer.register(Dockerd.start(cache.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void cacheDown_pullTriesTheMirrorMovesOnAndFailsWithinABound_cacheBack_pullGoesThrough() {
        cache.stop();
        Set<String> before = new HashSet<>(dockerd.logTail().lines().toList());

        long started = System.nanoTime();
        Command.Result pull = dockerd.docker(PULL_BOUND.plusSeconds(60), "pull", "mirrordown:1");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        List<String> logged = dockerd.logTail().lines().filter(l -> !before.contains(l)).toList();
        String log = String.join("\n", logged);
        assertNotEquals(0, pull.exitCode(), () -> "the pull succeeded with the cache down:\n" + pull.tail());
        assertTrue(took.compareTo(PULL_BOUND) < 0, () -> "the pull took " + took + ":\n" + pull.tail());
        assertTrue(logged.stream().anyMatch(l -> l.contains(NEXT_ENDPOINT) && l.contains(cache.hostPort())),
                () -> "dockerd did not log that the mirror " + cache.hostPort() + " failed and it moved on:\n" + log);
        assertTrue((log + pull.tail()).contains("registry-1.docker.io"),
                () -> "dockerd did not turn to Docker Hub after the mirror:\n" + log + "\n" + pull.tail());

        cache.restart();
        dockerd.pull("mirrordown:1");
        assertEquals(image.config().digest(), dockerd.imageId("mirrordown:1"), "pulled through the cache once it is back");
        ImageAssertions.awaitFiles(Duration.ofSeconds(10),
                image.blobs().stream().map(blob -> cache.blobData(blob.digest())).toList());
        StoreInvariants.check(cache);
    }
}
