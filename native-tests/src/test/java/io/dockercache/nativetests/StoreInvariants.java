package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * What must hold in a cache's storage root after any fault (DESIGN.md §3 rule 1): every committed
 * blob hashes to its name, and no staging file is left behind once the fills are over.
 */
final class StoreInvariants {

    /** A failed fill deletes its staging file just after the client's transfer ends. */
    private static final Duration CLEANUP = Duration.ofSeconds(10);

    private StoreInvariants() {
    }

    /** Asserts both invariants of the storage under {@code root}. */
    static void assertHold(Path root) {
        Await.until(CLEANUP, () -> stagingFiles(root).isEmpty(),
                () -> "staging files left under " + root + ": " + stagingFiles(root));
        for (Path data : committedBlobs(root)) {
            String named = "sha256:" + data.getParent().getFileName();
            assertEquals(named, Sha256.of(data), () -> "committed blob " + data + " does not hash to its name");
        }
    }

    /** {@code <root>/docker/registry/v2/blobs/sha256/<xx>/<hex>/data}, every one of them. */
    static List<Path> committedBlobs(Path root) {
        return files(root.resolve("docker/registry/v2/blobs/sha256"))
                .filter(p -> p.getFileName().toString().equals("data"))
                .toList();
    }

    private static List<Path> stagingFiles(Path root) {
        return files(root.resolve("docker-cache/staging")).toList();
    }

    private static Stream<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
