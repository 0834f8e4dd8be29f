package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What must hold of a filesystem store after any test, faults included (DESIGN.md §3 rule 1,
 * §3a): every committed blob hashes to its name, no staging file is left once the fills are over,
 * and the cache's {@code docker_cache_storage_bytes} gauge equals the bytes of blobs stored.
 */
final class StoreInvariants {

    /** A failed fill deletes its staging file just after the client's transfer ends. */
    private static final Duration CLEANUP = Duration.ofSeconds(10);

    private StoreInvariants() {
    }

    /** Asserts the storage invariants of the store under {@code root}. */
    static void assertHold(Path root) {
        Await.until(CLEANUP, () -> stagingLeftovers(root).isEmpty(),
                () -> "staging files left under " + root + ": " + stagingLeftovers(root));
        for (Path data : committedBlobs(root)) {
            String named = "sha256:" + data.getParent().getFileName();
            if (Files.exists(data)) {
                assertEquals(named, Sha256.of(data), () -> "committed blob " + data + " does not hash to its name");
            }
        }
    }

    /** {@link #assertHold} for a running cache, and its bytes gauge (which may lag a commit a moment). */
    static void check(CacheProcess cache) {
        Path root = cache.root();
        assertHold(root);
        long[] gauge = {-2};
        Await.until(Duration.ofSeconds(20), () -> {
            gauge[0] = (long) Metrics.required(cache, "docker_cache_storage_bytes");
            return gauge[0] == storedBytes(root);
        }, () -> "docker_cache_storage_bytes is " + gauge[0] + " but " + storedBytes(root)
                + " bytes of blobs are stored");
    }

    /** {@code <root>/docker/registry/v2/blobs/sha256/<xx>/<hex>/data}, every one of them. */
    static List<Path> committedBlobs(Path root) {
        return files(root.resolve("docker/registry/v2/blobs/sha256")).stream()
                .filter(p -> p.getFileName().toString().equals("data")).toList();
    }

    static long storedBytes(Path root) {
        return committedBlobs(root).stream().mapToLong(StoreInvariants::size).sum();
    }

    static List<Path> stagingLeftovers(Path root) {
        return files(root.resolve("docker-cache/staging"));
    }

    /** Regular files below {@code dir}; files removed while walking (an eviction) are skipped. */
    private static List<Path> files(Path dir) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return found;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // removed meanwhile
        }
    }
}
