package io.dockercache.cache.lifecycle;

import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/** Writes images into a storage in the registry layout, as a pull through the cache leaves them. */
final class StoreFixture {

  private final Storage storage;

  StoreFixture(Storage storage) {
    this.storage = storage;
  }

  /** A blob of {@code size} bytes made from {@code seed}; returns its digest. */
  Digest blob(String seed, int size) throws IOException {
    byte[] bytes = new byte[size];
    byte[] s = seed.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < size; i++) {
      bytes[i] = s[i % s.length];
    }
    Digest d = digest(bytes);
    storage.writeSmall(RegistryLayout.blobData(d), bytes);
    return d;
  }

  /** An image manifest referencing the given blobs, stored and linked in {@code repo} as {@code tag}. */
  Digest image(String repo, String tag, Digest... blobs) throws IOException {
    RepositoryName name = RepositoryName.parse(repo);
    List<String> layers = new ArrayList<>();
    for (int i = 1; i < blobs.length; i++) {
      layers.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", blobs[i]));
      link(name, blobs[i]);
    }
    link(name, blobs[0]);
    String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", blobs[0])
        + ",\"layers\":[" + String.join(",", layers) + "]}";
    return manifest(name, tag, json);
  }

  /** An index of the given child manifests (already stored in {@code repo}), tagged. */
  Digest index(String repo, String tag, Digest... children) throws IOException {
    List<String> entries = new ArrayList<>();
    for (Digest c : children) {
      entries.add("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + c
          + "\",\"size\":" + size(c) + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}");
    }
    return manifest(RepositoryName.parse(repo), tag,
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + String.join(",", entries) + "]}");
  }

  long size(Digest d) throws IOException {
    return storage.size(RegistryLayout.blobData(d)).orElseThrow();
  }

  boolean has(Digest d) throws IOException {
    return storage.size(RegistryLayout.blobData(d)).isPresent();
  }

  boolean linked(String repo, Digest d) throws IOException {
    return storage.size(RegistryLayout.layerLink(RepositoryName.parse(repo), d)).isPresent();
  }

  boolean hasRevision(String repo, Digest d) throws IOException {
    return storage.size(RegistryLayout.revisionLink(RepositoryName.parse(repo), d)).isPresent();
  }

  boolean hasTag(String repo, String tag) throws IOException {
    return storage.size(RegistryLayout.tagCurrentLink(RepositoryName.parse(repo), Tag.parse(tag)))
        .isPresent();
  }

  private Digest manifest(RepositoryName name, String tag, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Digest d = digest(bytes);
    storage.writeSmall(RegistryLayout.blobData(d), bytes);
    storage.writeSmall(RegistryLayout.revisionLink(name, d), RegistryLayout.linkContent(d));
    if (tag != null) {
      Tag t = Tag.parse(tag);
      storage.writeSmall(RegistryLayout.tagIndexLink(name, t, d), RegistryLayout.linkContent(d));
      storage.writeSmall(RegistryLayout.tagCurrentLink(name, t), RegistryLayout.linkContent(d));
    }
    return d;
  }

  private void link(RepositoryName name, Digest d) throws IOException {
    storage.writeSmall(RegistryLayout.layerLink(name, d), RegistryLayout.linkContent(d));
  }

  private String descriptor(String mediaType, Digest d) throws IOException {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size(d) + "}";
  }

  static Digest digest(byte[] bytes) {
    try {
      return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
