package io.dockercache.cache.storage.filesystem;

import io.dockercache.cache.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Storage in a local directory, in the distribution registry's layout. Staging files live under
 * {@code <root>/docker-cache/staging} (same filesystem as the blobs, so a commit is an atomic
 * rename); the registry ignores that directory.
 */
public final class FilesystemStorage implements Storage {

  private final Path root;
  private final Path staging;

  public FilesystemStorage(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.staging = this.root.resolve("docker-cache").resolve("staging");
  }

  /** Creates the root and removes staging files a previous run left behind. Returns the count. */
  public int prepare() throws IOException {
    Files.createDirectories(staging);
    int removed = 0;
    try (Stream<Path> leftovers = Files.list(staging)) {
      for (Path p : (Iterable<Path>) leftovers::iterator) {
        Files.deleteIfExists(p);
        removed++;
      }
    }
    return removed;
  }

  @Override
  public OptionalLong size(String key) throws IOException {
    Path file = resolve(key);
    try {
      return Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public Optional<byte[]> readSmall(String key, int maxBytes) throws IOException {
    try (FileChannel ch = FileChannel.open(resolve(key), StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > maxBytes) {
        throw new IOException(key + " is " + size + " bytes, over the limit of " + maxBytes);
      }
      // Read from the channel whose size was checked, not the path again.
      ByteBuffer content = ByteBuffer.allocate((int) size);
      while (content.hasRemaining() && ch.read(content) >= 0) {
        // keep reading until full or end of file
      }
      return Optional.of(Arrays.copyOf(content.array(), content.position()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void writeSmall(String key, byte[] content) throws IOException {
    Path tmp = newStagingFile();
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        ch.write(bytes); // a short write is continued, never committed as it is
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp); // a full disk: the old content stays, no staging file is left
      throw e;
    }
    commit(tmp, key);
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    FileChannel ch = FileChannel.open(resolve(key), StandardOpenOption.READ);
    ch.position(offset);
    return new BoundedInputStream(Channels.newInputStream(ch), length);
  }

  @Override
  public Optional<Path> localFile(String key) {
    return Optional.of(resolve(key));
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(resolve(prefix))) {
      for (Path p : dir) {
        names.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of();
    }
    return names;
  }

  @Override
  public List<Entry> walk(String prefix) throws IOException {
    Path dir = resolve(prefix);
    List<Entry> entries = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return entries;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          entries.add(new Entry(root.relativize(file).toString(), attrs.size()));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE; // removed while walking: not there any more
      }
    });
    return entries;
  }

  @Override
  public Path newStagingFile() throws IOException {
    Files.createDirectories(staging);
    return Files.createFile(staging.resolve(UUID.randomUUID().toString()));
  }

  @Override
  public void commit(Path stagingFile, String key) throws IOException {
    try {
      Path target = resolve(key);
      Files.createDirectories(target.getParent());
      // A rename within one filesystem is atomic: readers see no file or the whole file.
      try {
        Files.move(stagingFile, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (NoSuchFileException e) {
        // An eviction pruned the directory just made, as it emptied: make it again, once.
        Files.createDirectories(target.getParent());
        Files.move(stagingFile, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(stagingFile);
      throw e;
    }
  }

  @Override
  public void delete(String key) throws IOException {
    Path target = resolve(key);
    if (key.endsWith("/")) {
      deleteTree(target);
    } else {
      Files.deleteIfExists(target);
    }
    pruneEmptyParents(target.getParent());
  }

  @Override
  public Optional<Space> space() throws IOException {
    FileStore store = Files.getFileStore(staging);
    return Optional.of(new Space(store.getTotalSpace(), store.getUsableSpace()));
  }

  @Override
  public long stagingUsable() throws IOException {
    return Files.getFileStore(staging).getUsableSpace();
  }

  /** An OS file lock under {@code docker-cache/}: released by the kernel if the process dies. */
  @Override
  public Optional<Lock> tryLock(String name) throws IOException {
    Path file = root.resolve("docker-cache").resolve(name + ".lock");
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      java.nio.channels.FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        return Optional.empty();
      }
      return Optional.of(new Lock() {
        @Override
        public boolean held() {
          return ch.isOpen(); // the kernel holds it for this process until then
        }

        @Override
        public void close() throws IOException {
          ch.close();
        }
      });
    } catch (java.nio.channels.OverlappingFileLockException e) {
      ch.close(); // held by this process already
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(dir);
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException e) {
      // removed meanwhile: nothing left to do
    }
  }

  /** Removes directories left empty by a delete, up to the layout's root, as the registry does. */
  private void pruneEmptyParents(Path dir) {
    Path stop = root.resolve("docker/registry/v2");
    for (Path d = dir; d != null && d.startsWith(stop) && !d.equals(stop); d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (IOException e) {
        return; // not empty (or in use by a concurrent write): keep it and everything above
      }
    }
  }

  /** One pod per volume: a hostPath or a ReadWriteOnce claim. */
  @Override
  public boolean isShared() {
    return false;
  }

  @Override
  public void check() throws IOException {
    if (!Files.isDirectory(staging) || !Files.isWritable(staging)) {
      throw new IOException("storage root " + root + " is not a writable directory");
    }
  }

  private Path resolve(String key) {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("storage key escapes the root: " + key);
    }
    return p;
  }
}
