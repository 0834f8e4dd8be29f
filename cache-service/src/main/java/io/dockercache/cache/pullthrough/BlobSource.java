package io.dockercache.cache.pullthrough;

import java.nio.file.Path;

/** Where a blob's bytes come from for one response. */
public sealed interface BlobSource {

  /** A stored blob in a local file: served zero-copy. */
  record LocalFile(Path file, long size) implements BlobSource {}

  /** A blob being downloaded now: followed as it arrives. */
  record Filling(BlobFill fill) implements BlobSource {}
}
