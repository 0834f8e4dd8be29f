package io.dockercache.cache.storage.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.DownloadRetryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads a byte range of a blob as a series of ranged GETs of at most one chunk each, so memory per
 * reader is one chunk whatever the blob's size. The chunk starts small and doubles up to a
 * maximum while the shared {@link ReadBudget} has room (a long read pays fewer round trips; many
 * readers together stay bounded). Each GET goes through the client's retry policy, and a body that
 * breaks off is resumed by the SDK from where it stopped.
 */
final class RangeInputStream extends InputStream {

  private final BlobClient blob;
  private final BlobRequestConditions sameBlob;
  private final DownloadRetryOptions resume;
  private final String name;
  private final ReadBudget budget;
  private final int maxChunk;
  private byte[] chunk;
  private long borrowed;
  private long position;
  private final long end;
  private int chunkPos;
  private int chunkLen;

  RangeInputStream(BlobClient blob, String etag, int retries, long offset, long length, int baseChunk,
      int maxChunk, ReadBudget budget) {
    this.budget = budget;
    this.maxChunk = maxChunk;
    this.blob = blob;
    this.name = blob.getBlobName();
    this.sameBlob = new BlobRequestConditions().setIfMatch(etag);
    this.resume = new DownloadRetryOptions().setMaxRetryRequests(retries);
    this.position = offset;
    this.end = offset + length;
    this.chunk = new byte[(int) Math.max(1, Math.min(baseChunk, length))];
  }

  /** Fetches the first chunk now, so a failure shows before the caller commits to a response. */
  RangeInputStream prefetch() throws IOException {
    fill();
    return this;
  }

  @Override
  public int read() throws IOException {
    if (chunkPos == chunkLen && !fill()) {
      return -1;
    }
    return chunk[chunkPos++] & 0xff;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (chunkPos == chunkLen && !fill()) {
      return -1;
    }
    int n = Math.min(len, chunkLen - chunkPos);
    System.arraycopy(chunk, chunkPos, buf, off, n);
    chunkPos += n;
    return n;
  }

  @Override
  public int available() {
    return chunkLen - chunkPos;
  }

  private boolean fill() throws IOException {
    if (position >= end) {
      return false;
    }
    grow();
    int want = (int) Math.min(chunk.length, end - position);
    ChunkSink sink = new ChunkSink(chunk, want);
    AzureCalls.run("read " + name + " at " + position, () -> blob.downloadStreamWithResponse(sink,
        new BlobRange(position, (long) want), resume, sameBlob, false, null, Context.NONE));
    if (sink.count != want) {
      throw new IOException("read " + name + " at " + position + ": got " + sink.count + " of "
          + want + " bytes");
    }
    position += want;
    chunkPos = 0;
    chunkLen = want;
    return true;
  }

  /** Doubles the chunk for the next GET when more remains than it holds and the budget allows. */
  private void grow() {
    long remaining = end - position;
    if (chunkLen == 0 || chunk.length >= maxChunk || remaining <= chunk.length) {
      return; // the first GET stays small: most blobs are, and a failure shows fast
    }
    int wanted = (int) Math.min(maxChunk, Math.min(2L * chunk.length, remaining));
    long granted = budget.take(wanted - chunk.length);
    if (granted == wanted - chunk.length) {
      borrowed += granted;
      chunk = new byte[wanted];
    } else {
      budget.give(granted);
    }
  }

  @Override
  public void close() {
    budget.give(borrowed);
    borrowed = 0;
  }

  /** Collects one chunk into the reader's buffer; refuses bytes beyond what was asked for. */
  private static final class ChunkSink extends OutputStream {
    private final byte[] target;
    private final int limit;
    private int count;

    ChunkSink(byte[] target, int limit) {
      this.target = target;
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (count + len > limit) {
        throw new IOException("storage sent more bytes than the range asked for");
      }
      System.arraycopy(b, off, target, count, len);
      count += len;
    }
  }
}
