package io.dockercache.cache.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The storage SPI: a key/value store whose keys are the distribution registry's paths (see
 * {@link RegistryLayout}). Calls block; callers run them off the event loop.
 *
 * <p>Writes are two-phase: bytes are first spooled to a local staging file, then published under a
 * key by {@link #commit}, atomically. Nothing is visible under a key before its commit.
 */
public interface Storage {

  /** The object's size in bytes, empty when it does not exist. */
  OptionalLong size(String key) throws IOException;

  /** Reads a small object (a link, a manifest) whole; empty when absent. */
  Optional<byte[]> readSmall(String key, int maxBytes) throws IOException;

  /** Publishes a small object atomically: readers see the old content or the new, never a mix. */
  void writeSmall(String key, byte[] content) throws IOException;

  /** Streams {@code length} bytes of an object from {@code offset}. */
  InputStream open(String key, long offset, long length) throws IOException;

  /**
   * The local file holding an object, for zero-copy serving; empty for remote backends. The file
   * is only read, never written, through this path.
   */
  Optional<Path> localFile(String key);

  /** The names directly below a key prefix (a "directory" listing); empty when there is none. */
  List<String> list(String prefix) throws IOException;

  /**
   * Every object under a prefix (recursively) with its size, keys relative to the storage root;
   * one pass, for the lifecycle's scan of the whole tree (a blob service lists it in pages).
   */
  List<Entry> walk(String prefix) throws IOException;

  /** One object found by {@link #walk}. */
  record Entry(String key, long size) {}

  /** A new, empty local staging file for a two-phase write. */
  Path newStagingFile() throws IOException;

  /** Publishes a complete, verified staging file under a key and takes ownership of it. */
  void commit(Path stagingFile, String key) throws IOException;

  /**
   * Removes an object; with a key ending in {@code /}, every object under that prefix. Absent
   * keys are no error. Readers of other keys are never affected.
   */
  void delete(String key) throws IOException;

  /** Size and free bytes of the filesystem holding the store; empty where there is none (a blob service). */
  Optional<Space> space() throws IOException;

  /** Bytes still usable where {@link #newStagingFile()} files are written, for a fill to fit in. */
  long stagingUsable() throws IOException;

  /**
   * Takes a lock that processes sharing this storage exclude each other with (one evictor at a
   * time), held until closed or until the process dies; empty when another process holds it.
   */
  Optional<Lock> tryLock(String name) throws IOException;

  /** A lock from {@link #tryLock}: {@link #held()} turns false once another process may hold it. */
  interface Lock extends java.io.Closeable {
    boolean held();
  }

  /** A filesystem's size and the bytes still usable on it. */
  record Space(long total, long usable) {}

  /**
   * True when other processes may serve from this storage at the same time (a blob service
   * shared by replicas): removals then wait until their uses are known.
   */
  boolean isShared();

  /** Throws when the storage cannot serve reads and writes (readiness). */
  void check() throws IOException;
}
