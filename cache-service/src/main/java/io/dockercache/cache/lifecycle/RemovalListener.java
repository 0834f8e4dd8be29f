package io.dockercache.cache.lifecycle;

import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.util.List;

/**
 * Told of what the lifecycle removed from storage, just after it went, so copies held elsewhere
 * (the manifests in memory) go too. Called on the lifecycle's worker thread; must return at once.
 */
public interface RemovalListener {

  /** Nothing. */
  RemovalListener NONE = new RemovalListener() {
    @Override
    public void revisionRemoved(RepositoryName repository, Digest manifest, List<Tag> tags) {}

    @Override
    public void blobRemoved(Digest digest) {}
  };

  /** A repository's manifest revision is gone, with {@code tags}, the tags that named it. */
  void revisionRemoved(RepositoryName repository, Digest manifest, List<Tag> tags);

  /** Blob data is gone (layer, config or manifest bytes, for every repository). */
  void blobRemoved(Digest digest);
}
