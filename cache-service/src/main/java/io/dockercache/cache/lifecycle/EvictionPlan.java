package io.dockercache.cache.lifecycle;

import io.dockercache.cache.metrics.CacheMetrics.EvictionReason;
import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import java.util.List;

/**
 * What one eviction run removes, in the order it is removed: manifest revisions (with the tags
 * pointing at them), then {@code _layers} links no retained manifest of their repository needs,
 * then blob data no retained manifest of any repository references.
 */
record EvictionPlan(List<RevisionRemoval> revisions, List<LinkRemoval> links,
    List<BlobRemoval> blobs) {

  record RevisionRemoval(StoreIndex.Revision revision, EvictionReason reason) {}

  record LinkRemoval(RepositoryName repository, Digest digest) {}

  record BlobRemoval(Digest digest, long size, EvictionReason reason) {}

  boolean isEmpty() {
    return revisions.isEmpty() && links.isEmpty() && blobs.isEmpty();
  }
}
