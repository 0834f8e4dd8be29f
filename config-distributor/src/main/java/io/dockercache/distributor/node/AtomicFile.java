package io.dockercache.distributor.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that a reader sees the old bytes or the new ones, never a mix: temp file in
 * the same directory, fsync, rename, fsync of the directory. The old file's permissions are kept.
 */
public final class AtomicFile {

  private static final Set<PosixFilePermission> NEW_FILE = PosixFilePermissions.fromString("rw-r--r--");

  private AtomicFile() {}

  public static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Set<PosixFilePermission> permissions = Files.exists(target)
        ? Files.getPosixFilePermissions(target) : NEW_FILE;
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.setPosixFilePermissions(temp, permissions);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename atomically in " + dir, e);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(dir);
  }

  /**
   * Deletes the temp files that an interrupted {@link #write} of {@code target} (or of a sibling
   * whose name starts with its name, such as its backup) left in its directory. Only we write
   * these names, one write at a time, so none of them is in use.
   */
  public static void sweepTemporaries(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String prefix = "." + target.getFileName() + ".";
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir,
        p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp")
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))) {
      for (Path temp : temps) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Copies {@code source} to {@code backup} unless a backup already exists (the original, once). */
  public static void backupOnce(Path source, Path backup) throws IOException {
    if (Files.exists(source) && !Files.exists(backup)) {
      write(backup, Files.readAllBytes(source));
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some filesystems refuse to open a directory; the rename itself is still atomic.
    }
  }
}
