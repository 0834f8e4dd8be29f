package io.dockercache.cache.lifecycle;

import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Whether a stored blob still hashes to its digest: read once, a chunk at a time. */
final class BlobHash {

  private static final int CHUNK = 1 << 20;

  /** Told of each chunk read, e.g. to keep a rate; may sleep. */
  interface Pacer {
    void read(long total, int chunk) throws InterruptedException;
  }

  private BlobHash() {}

  /** True when the blob hashes to {@code digest}, or is gone (removed meanwhile: nothing to judge). */
  static boolean matches(Storage storage, String key, long size, Digest digest, Pacer pacer)
      throws IOException, InterruptedException {
    MessageDigest hasher = digest.newMessageDigest();
    byte[] buffer = new byte[CHUNK];
    long read = 0;
    try (InputStream in = storage.open(key, 0, size)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        hasher.update(buffer, 0, n);
        read += n;
        pacer.read(read, n);
      }
    } catch (NoSuchFileException gone) {
      return true;
    }
    return HexFormat.of().formatHex(hasher.digest()).equals(digest.hex());
  }
}
