package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directories under the {@code test.work.dir} system property; each fixture gets its own. */
final class WorkDir {

    /** Unix socket paths are limited to 108 bytes; dockerd and containerd add suffixes of their own. */
    private static final int MAX_SOCKET_DIR_LENGTH = 60;

    private WorkDir() {
    }

    static Path base() {
        Path base = Paths.get(System.getProperty("test.work.dir", "target/it-work")).toAbsolutePath();
        try {
            return Files.createDirectories(base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the work dir " + base, e);
        }
    }

    /** A new, empty directory {@code <base>/<prefix>-<unique>}. */
    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(base(), prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory under " + base(), e);
        }
    }

    /** {@code dir} when it is short enough to hold unix sockets, else a new short directory under /tmp. */
    static Path forSockets(Path dir) {
        if (dir.toString().length() <= MAX_SOCKET_DIR_LENGTH) {
            return dir;
        }
        try {
            return Files.createTempDirectory("dc-sock-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a socket directory under /tmp", e);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
