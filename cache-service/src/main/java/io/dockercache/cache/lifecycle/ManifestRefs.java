package io.dockercache.cache.lifecycle;

import io.dockercache.common.Digest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one manifest references: the blobs of an image (config and layers) or, for an index, its
 * child manifests. Content-addressed, so it never changes for a digest. Sizes are the descriptors'
 * ({@code -1} where the format has none: schema 1).
 */
record ManifestRefs(List<Descriptor> blobs, List<Descriptor> manifests) {

  static final ManifestRefs NONE = new ManifestRefs(List.of(), List.of());

  /** A digest and the size its referrer announced. */
  record Descriptor(Digest digest, long size) {}

  /**
   * Reads the references of manifest bytes: Docker schema 2 and OCI manifests ({@code config},
   * {@code layers}), indexes and manifest lists ({@code manifests}), schema 1 ({@code fsLayers}).
   * Unreadable JSON references nothing; an unknown digest algorithm is skipped.
   */
  static ManifestRefs parse(Buffer bytes) {
    JsonObject json;
    try {
      json = bytes.toJsonObject();
    } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
      return NONE;
    }
    List<Descriptor> blobs = new ArrayList<>();
    add(blobs, json.getValue("config"));
    addAll(blobs, json.getValue("layers"));
    if (json.getValue("fsLayers") instanceof JsonArray fs) {
      for (Object layer : fs) {
        if (layer instanceof JsonObject l) {
          descriptor(l.getValue("blobSum"), -1).ifPresent(blobs::add);
        }
      }
    }
    List<Descriptor> manifests = new ArrayList<>();
    addAll(manifests, json.getValue("manifests"));
    return new ManifestRefs(List.copyOf(blobs), List.copyOf(manifests));
  }

  private static void addAll(List<Descriptor> into, Object array) {
    if (array instanceof JsonArray a) {
      for (Object entry : a) {
        add(into, entry);
      }
    }
  }

  private static void add(List<Descriptor> into, Object entry) {
    if (entry instanceof JsonObject d) {
      long size = d.getValue("size") instanceof Number n ? n.longValue() : -1;
      descriptor(d.getValue("digest"), size).ifPresent(into::add);
    }
  }

  private static Optional<Descriptor> descriptor(Object digest, long size) {
    if (!(digest instanceof String s)) {
      return Optional.empty();
    }
    try {
      Digest d = Digest.parse(s);
      return d.isSha256() ? Optional.of(new Descriptor(d, size)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
