package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    /** The one blob that may rightly be empty. */
    private static final String EMPTY_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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

    /**
     * The layout is whole, as a crash at any point must leave it (matrix D2, invariant 2): no
     * zero-byte file anywhere in it, every link is one {@code sha256:<hex>} naming a blob that is
     * stored, a revision or layer link names the digest of its own directory, and a tag names a
     * revision its repository holds.
     */
    static void assertLayoutWhole(Path root) {
        Path v2 = root.resolve("docker/registry/v2");
        List<String> problems = new ArrayList<>();
        for (Path file : files(v2)) {
            // A file an eviction removes meanwhile is skipped: only what is still there counts. Links
            // go before the data they name, so a link still there after its data is gone is dangling.
            long size = sizeOrMinusOne(file);
            if (size == 0 && !file.getParent().getFileName().toString().equals(EMPTY_HEX)) {
                problems.add("zero-byte " + v2.relativize(file));
            }
            if (size <= 0 || !file.getFileName().toString().equals("link")) {
                continue;
            }
            String target = read(file);
            if (target == null) {
                continue;
            }
            if (!target.matches("sha256:[0-9a-f]{64}")) {
                problems.add("link " + v2.relativize(file) + " holds '" + target + "'");
                continue;
            }
            if (!Files.isRegularFile(StorageLayout.blobData(root, target)) && Files.exists(file)) {
                problems.add("dangling link " + v2.relativize(file) + " -> " + target);
            }
            Path dir = file.getParent();
            String parentName = dir.getParent().getFileName().toString();
            if (parentName.equals("sha256") && !target.equals("sha256:" + dir.getFileName())) {
                problems.add("link " + v2.relativize(file) + " names another digest: " + target);
            }
            if (dir.getFileName().toString().equals("current")) {
                Path manifests = dir.getParent().getParent().getParent();
                Path revision = manifests.resolve("revisions/sha256").resolve(target.substring(7)).resolve("link");
                if (!Files.isRegularFile(revision) && Files.exists(file)) {
                    problems.add("tag " + v2.relativize(file) + " names a revision its repository lacks: " + target);
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " problems in the layout under " + root + ": "
                + problems.subList(0, Math.min(20, problems.size())));
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

    /** The file's content, null when it is gone. */
    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static long sizeOrMinusOne(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // removed meanwhile
        }
    }
}
