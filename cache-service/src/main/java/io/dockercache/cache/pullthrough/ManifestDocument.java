package io.dockercache.cache.pullthrough;

import io.dockercache.common.Digest;
import io.dockercache.common.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** What the cache needs to read inside a manifest: its media type and an index's entries. */
final class ManifestDocument {

  private ManifestDocument() {}

  /**
   * The media type of stored manifest bytes, decided as the distribution registry does: the
   * {@code mediaType} field when present, else by shape (OCI manifests may omit the field).
   */
  static String mediaType(Buffer bytes) {
    JsonObject json = parse(bytes);
    if (json == null) {
      return MediaTypes.OCI_MANIFEST;
    }
    String declared = json.getString("mediaType");
    if (declared != null && !declared.isEmpty()) {
      return declared;
    }
    if (json.getValue("schemaVersion") instanceof Number n && n.intValue() == 1) {
      return json.containsKey("signatures")
          ? MediaTypes.DOCKER_MANIFEST_V1_SIGNED
          : MediaTypes.DOCKER_MANIFEST_V1;
    }
    return json.containsKey("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }

  /** The digest of an index's entry for a platform, when the index has one. */
  static Optional<Digest> platformEntry(Buffer index, String os, String architecture) {
    JsonObject json = parse(index);
    JsonArray manifests = json == null ? null : json.getJsonArray("manifests");
    if (manifests == null) {
      return Optional.empty();
    }
    for (int i = 0; i < manifests.size(); i++) {
      JsonObject entry = manifests.getJsonObject(i);
      JsonObject platform = entry.getJsonObject("platform");
      if (platform != null && os.equals(platform.getString("os"))
          && architecture.equals(platform.getString("architecture"))) {
        return Optional.of(Digest.parse(entry.getString("digest")));
      }
    }
    return Optional.empty();
  }

  private static JsonObject parse(Buffer bytes) {
    try {
      return bytes.toJsonObject();
    } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
      return null;
    }
  }
}
