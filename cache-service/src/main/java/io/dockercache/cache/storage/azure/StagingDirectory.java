package io.dockercache.cache.storage.azure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Local spool files for uploads, one directory per process ({@code <base>/<pid>}), so that several
 * cache processes on one machine sharing a temporary directory never sweep each other's files.
 * Directories of processes that no longer run are removed at start.
 */
final class StagingDirectory {

  private final Path base;
  private final Path own;

  StagingDirectory(Path base) {
    this.base = base.toAbsolutePath().normalize();
    this.own = this.base.resolve(Long.toString(ProcessHandle.current().pid()));
  }

  /** Creates this process' directory; removes those left by processes gone. Returns files removed. */
  int prepare() throws IOException {
    Files.createDirectories(base);
    int removed = 0;
    try (Stream<Path> dirs = Files.list(base)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        if (isLeftover(dir)) {
          removed += deleteTree(dir);
        }
      }
    }
    Files.createDirectories(own);
    return removed;
  }

  Path newFile() throws IOException {
    Files.createDirectories(own);
    return Files.createFile(own.resolve(UUID.randomUUID().toString()));
  }

  Path directory() {
    return own;
  }

  private boolean isLeftover(Path dir) {
    String name = dir.getFileName().toString();
    if (dir.equals(own)) {
      return true; // an earlier process with our pid (a restarted container) left it
    }
    if (!name.chars().allMatch(Character::isDigit) || name.isEmpty() || name.length() > 18) {
      return false; // not ours
    }
    return ProcessHandle.of(Long.parseLong(name)).map(p -> !p.isAlive()).orElse(true);
  }

  private static int deleteTree(Path dir) throws IOException {
    int files = 0;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        if (!p.equals(dir)) {
          files++;
        }
        Files.deleteIfExists(p);
      }
    }
    return files;
  }
}
