package io.dockercache.cache.pullthrough;

import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClientResponse;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Where a blob's bytes come from for one response. */
public sealed interface BlobSource {

  /** A stored blob in a local file: served zero-copy. */
  record LocalFile(Path file, long size) implements BlobSource {}

  /**
   * A stored blob streamed from {@link Storage#open}: one without a local file (a remote backend),
   * or the first serve of a blob since the start, which is hashed on the way ({@code verify} not
   * null; a whole-blob response only).
   */
  record Stored(Storage storage, String key, long size, Verify verify) implements BlobSource {}

  /**
   * Hash the bytes as they go out and hold the last one back until they match {@code digest}:
   * then {@code matched} runs and the response ends cleanly; otherwise {@code damaged} runs and
   * the connection is reset.
   */
  record Verify(Digest digest, Runnable matched, Runnable damaged) {}

  /**
   * A blob being downloaded now: followed as it arrives. {@code committed} is the stored blob to
   * serve instead when the fill is done and its staging file is already gone (a remote backend
   * removes it once uploaded).
   */
  record Filling(BlobFill fill, Supplier<BlobSource> committed) implements BlobSource {}

  /**
   * A blob sent from the upstream's paused response without being stored (no room to stage it):
   * verified on the way by the streamer. {@code context} is the response's own, where it is read.
   */
  record PassThrough(Digest digest, HttpClientResponse response, Context context, long size,
      String action) implements BlobSource {}
}
