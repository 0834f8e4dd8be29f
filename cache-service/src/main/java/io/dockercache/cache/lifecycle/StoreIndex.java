package io.dockercache.cache.lifecycle;

import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the storage tree held at one scan: the size of every blob (layers, configs and manifests
 * alike), every manifest revision of every repository with the tags pointing at it and what it
 * references, and which repositories link each blob. Rebuilt from the tree on every run, so it can
 * never disagree with storage for long.
 */
record StoreIndex(Map<Digest, Long> blobs, List<Revision> revisions,
    Map<Digest, Set<RepositoryName>> layerLinks) {

  /** One manifest of one repository. */
  record Revision(RepositoryName repository, Digest digest, List<Tag> tags, ManifestRefs refs) {}

  long totalBytes() {
    return blobs.values().stream().mapToLong(Long::longValue).sum();
  }
}
