package io.dockercache.cache.lifecycle;

import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the registry layout into a {@link StoreIndex}: two flat listings (blobs, repositories),
 * one read per tag's current link, and one read per manifest whose references are not known yet
 * (they are cached by digest, so a later scan reads only new manifests). Paths that are not of the
 * layout (other tools' files, names we cannot parse) are left out, and so never removed.
 */
final class StoreScan {

  private static final String BLOBS = "docker/registry/v2/blobs/";
  private static final String MANIFESTS = "/_manifests/";
  private static final String LAYERS = "/_layers/";
  /** The distribution registry's limit on a manifest. */
  private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StoreScan.class);
  private final Storage storage;
  private final AccessLog access;

  StoreScan(Storage storage, AccessLog access) {
    this.storage = storage;
    this.access = access;
  }

  StoreIndex scan() throws IOException {
    Map<Digest, Long> blobs = new HashMap<>();
    for (Storage.Entry e : storage.walk(BLOBS)) {
      blobDigest(e.key()).ifPresent(d -> blobs.put(d, e.size()));
    }
    Map<RevisionKey, List<Tag>> revisions = new HashMap<>();
    Map<Digest, Set<RepositoryName>> layerLinks = new HashMap<>();
    List<TagLink> tags = new ArrayList<>();
    for (Storage.Entry e : storage.walk(RegistryLayout.REPOSITORIES)) {
      classify(e.key().substring(RegistryLayout.REPOSITORIES.length()), revisions, layerLinks, tags);
    }
    for (TagLink t : tags) {
      readLink(RegistryLayout.tagCurrentLink(t.repository(), t.tag())).ifPresent(d -> {
        List<Tag> of = revisions.get(new RevisionKey(t.repository(), d));
        if (of != null) {
          of.add(t.tag());
        }
      });
    }
    List<StoreIndex.Revision> all = new ArrayList<>();
    for (Map.Entry<RevisionKey, List<Tag>> r : revisions.entrySet()) {
      Digest d = r.getKey().digest();
      Long size = blobs.get(d);
      ManifestRefs refs = size == null ? ManifestRefs.NONE
          : size > MAX_MANIFEST_BYTES ? oversized(r.getKey(), size) : refs(d);
      all.add(new StoreIndex.Revision(r.getKey().repository(), d, List.copyOf(r.getValue()), refs));
    }
    return new StoreIndex(blobs, all, layerLinks);
  }

  private record RevisionKey(RepositoryName repository, Digest digest) {}

  private record TagLink(RepositoryName repository, Tag tag) {}

  /** Sorts one path below {@code repositories/} into a revision, a layer link or a tag. */
  private static void classify(String path, Map<RevisionKey, List<Tag>> revisions,
      Map<Digest, Set<RepositoryName>> layerLinks, List<TagLink> tags) {
    try {
      int m = path.indexOf(MANIFESTS);
      int l = path.indexOf(LAYERS);
      if (m > 0 && (l < 0 || m < l)) {
        RepositoryName name = RepositoryName.parse(path.substring(0, m));
        String[] rest = path.substring(m + MANIFESTS.length()).split("/");
        if (rest.length == 4 && rest[0].equals("revisions") && rest[3].equals("link")) {
          revisions.putIfAbsent(new RevisionKey(name, new Digest(rest[1], rest[2])), new ArrayList<>());
        } else if (rest.length == 4 && rest[0].equals("tags") && rest[2].equals("current")) {
          tags.add(new TagLink(name, Tag.parse(rest[1])));
        }
      } else if (l > 0) {
        RepositoryName name = RepositoryName.parse(path.substring(0, l));
        String[] rest = path.substring(l + LAYERS.length()).split("/");
        if (rest.length == 3 && rest[2].equals("link")) {
          layerLinks.computeIfAbsent(new Digest(rest[0], rest[1]), d -> new HashSet<>()).add(name);
        }
      }
    } catch (IllegalArgumentException e) {
      // not a path of the layout (or a name we cannot speak): left alone
    }
  }

  private static Optional<Digest> blobDigest(String key) {
    String[] p = key.substring(BLOBS.length()).split("/");
    if (p.length != 4 || !p[3].equals("data")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Digest(p[0], p[2]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Not a manifest this cache could have stored or served: it keeps nothing alive. */
  private static ManifestRefs oversized(RevisionKey revision, long size) {
    LOG.warnf("manifest %s of %s is %d bytes, over the %d a registry allows; its layers are not"
        + " counted as used by it", revision.digest(), revision.repository(), size, MAX_MANIFEST_BYTES);
    return ManifestRefs.NONE;
  }

  private ManifestRefs refs(Digest digest) throws IOException {
    ManifestRefs known = access.knownRefs(digest);
    if (known != null) {
      return known;
    }
    // A read failure ends the scan: guessing "references nothing" could remove a live image.
    return storage.readSmall(RegistryLayout.blobData(digest), MAX_MANIFEST_BYTES)
        .map(b -> access.refs(digest, Buffer.buffer(b))).orElse(ManifestRefs.NONE);
  }

  private Optional<Digest> readLink(String key) throws IOException {
    try {
      return storage.readSmall(key, 256).map(RegistryLayout::parseLink);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
