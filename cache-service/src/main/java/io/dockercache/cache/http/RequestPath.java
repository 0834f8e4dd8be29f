package io.dockercache.cache.http;

import io.dockercache.common.Digest;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.Reference;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;

/**
 * A Registry API v2 path, parsed and validated before anything touches the upstream or storage.
 * Repository names contain slashes, so the action is found from the right: the last
 * {@code /manifests/}, {@code /blobs/} or {@code /tags/list}.
 */
record RequestPath(Kind kind, RepositoryName name, Reference reference, Digest digest) {

  enum Kind { BASE, CATALOG, MANIFEST, BLOB, BLOB_UPLOAD, TAGS, UNKNOWN }

  private static final String PREFIX = "/v2/";

  /**
   * Parses {@code path}; {@code dockerHub} maps one-component names to {@code library/<name>} as
   * {@code docker pull} does. Throws {@link RegistryException} with NAME_INVALID, TAG_INVALID or
   * DIGEST_INVALID.
   */
  static RequestPath parse(String path, boolean dockerHub) {
    if (path.equals("/v2") || path.equals(PREFIX)) {
      return new RequestPath(Kind.BASE, null, null, null);
    }
    if (!path.startsWith(PREFIX)) {
      return unknown();
    }
    String rest = path.substring(PREFIX.length());
    if (rest.equals("_catalog")) {
      return new RequestPath(Kind.CATALOG, null, null, null);
    }
    int at;
    if ((at = rest.lastIndexOf("/manifests/")) > 0) {
      return new RequestPath(Kind.MANIFEST, name(rest.substring(0, at), dockerHub),
          reference(rest.substring(at + "/manifests/".length())), null);
    }
    if ((at = rest.indexOf("/blobs/uploads")) > 0) {
      return new RequestPath(Kind.BLOB_UPLOAD, null, null, null);
    }
    if ((at = rest.lastIndexOf("/blobs/")) > 0) {
      return new RequestPath(Kind.BLOB, name(rest.substring(0, at), dockerHub), null,
          digest(rest.substring(at + "/blobs/".length())));
    }
    if (rest.endsWith("/tags/list") && rest.length() > "/tags/list".length()) {
      return new RequestPath(Kind.TAGS,
          name(rest.substring(0, rest.length() - "/tags/list".length()), dockerHub), null, null);
    }
    return unknown();
  }

  private static RequestPath unknown() {
    return new RequestPath(Kind.UNKNOWN, null, null, null);
  }

  private static RepositoryName name(String raw, boolean dockerHub) {
    RepositoryName name;
    try {
      name = RepositoryName.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + e.getMessage());
    }
    return dockerHub ? name.withLibraryPrefix() : name;
  }

  private static Reference reference(String raw) {
    try {
      return Reference.parse(raw);
    } catch (IllegalArgumentException e) {
      ErrorCode code = raw.indexOf(':') >= 0 ? ErrorCode.DIGEST_INVALID : ErrorCode.TAG_INVALID;
      throw new RegistryException(code, "invalid manifest reference: " + e.getMessage());
    }
  }

  private static Digest digest(String raw) {
    try {
      return Digest.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid digest: " + e.getMessage());
    }
  }
}
