package io.dockercache.cache.pullthrough;

import io.vertx.core.buffer.Buffer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;

/**
 * Hashes a fill's bytes and writes them to its staging file, on a worker thread: the event loop
 * only keeps the upstream's chunks by reference, so the costly work of the cold path runs beside
 * it. The caller writes one batch at a time, in order, so the digest sees the body as it came.
 *
 * <p>The heap chunks are copied into one direct buffer of the fill's own and written from there:
 * a heap buffer handed to a file channel would be copied into a temporary direct buffer of its
 * size, which the JDK keeps for each worker thread.
 */
final class StagingWriter implements Closeable {

  /** The direct buffer each write goes through. */
  private static final int WRITE_BUFFER = 256 * 1024;

  private final FileChannel channel;
  private final MessageDigest hasher;
  private ByteBuffer direct;

  private StagingWriter(FileChannel channel, MessageDigest hasher) {
    this.channel = channel;
    this.hasher = hasher;
  }

  /** Opens the (already created) staging file for writing; blocking. */
  static StagingWriter open(Path staging, MessageDigest hasher) throws IOException {
    return new StagingWriter(FileChannel.open(staging, StandardOpenOption.WRITE), hasher);
  }

  /**
   * Hashes {@code chunks} and writes them from {@code position} on; blocking. Every chunk is
   * hashed even when the write fails, so the digest still covers the bytes the fill has received.
   */
  void write(List<Buffer> chunks, long position) throws IOException {
    if (direct == null) {
      direct = ByteBuffer.allocateDirect(WRITE_BUFFER);
    }
    long at = position;
    IOException failed = null;
    for (Buffer chunk : chunks) {
      ByteBuffer src = chunk.getByteBuf().nioBuffer(); // a view: the chunk itself is shared
      hasher.update(src.duplicate());
      while (failed == null && src.hasRemaining()) {
        int n = Math.min(src.remaining(), direct.remaining());
        direct.put(src.slice(src.position(), n));
        src.position(src.position() + n);
        if (!direct.hasRemaining()) {
          try {
            at = drain(at);
          } catch (IOException e) {
            failed = e;
          }
        }
      }
    }
    if (failed == null) {
      drain(at);
    } else {
      direct.clear();
      throw failed;
    }
  }

  private long drain(long at) throws IOException {
    direct.flip();
    try {
      while (direct.hasRemaining()) {
        at += channel.write(direct, at); // a short write is continued, never left short
      }
    } finally {
      direct.clear();
    }
    return at;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
