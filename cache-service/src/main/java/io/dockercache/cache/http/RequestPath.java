package io.dockercache.cache.http;

import io.dockercache.common.Digest;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.Reference;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;

/**
 * A Registry API v2 path, parsed and validated before anything touches the upstream or storage.
 * Repository names contain slashes, so the action is found from the right: the segment before
 * the last one ({@code manifests}, {@code blobs}), or a {@code /tags/list} ending.
 */
record RequestPath(Kind kind, RepositoryName name, Reference reference, Digest digest) {

  enum Kind { BASE, CATALOG, MANIFEST, BLOB, BLOB_UPLOAD, TAGS, UNKNOWN }

  private static final String PREFIX = "/v2/";
  private static final String TAGS_LIST = "/tags/list";

  /**
   * Parses {@code path}; the name is as the path gives it (which registry, and Docker Hub's
   * {@code library/}, are {@code Registries}' to decide). Throws {@link RegistryException} with NAME_INVALID or
   * DIGEST_INVALID, or MANIFEST_UNKNOWN for a manifest reference that is neither tag nor digest.
   */
  static RequestPath parse(String path) {
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
    if (rest.endsWith(TAGS_LIST) && rest.length() > TAGS_LIST.length()) {
      return new RequestPath(Kind.TAGS,
          name(rest.substring(0, rest.length() - TAGS_LIST.length())), null, null);
    }
    // <name>/<action>/<last>: the last segment (tag, digest, upload id) never holds a slash, so
    // the action is the segment before it, whatever components the name has.
    int lastSlash = rest.lastIndexOf('/');
    if (lastSlash <= 0) {
      return unknown();
    }
    String last = rest.substring(lastSlash + 1);
    String before = rest.substring(0, lastSlash);
    int actionSlash = before.lastIndexOf('/');
    String action = before.substring(actionSlash + 1);
    String nameRaw = actionSlash > 0 ? before.substring(0, actionSlash) : "";
    if (action.equals("uploads") && nameRaw.endsWith("/blobs") || action.equals("blobs") && last.equals("uploads")) {
      return new RequestPath(Kind.BLOB_UPLOAD, null, null, null);
    }
    if (nameRaw.isEmpty()) {
      return unknown();
    }
    // The name is checked first: a bad name is NAME_INVALID whatever the reference.
    return switch (action) {
      case "manifests" -> {
        RepositoryName name = name(nameRaw);
        yield new RequestPath(Kind.MANIFEST, name, reference(last, name), null);
      }
      case "blobs" -> new RequestPath(Kind.BLOB, name(nameRaw), null, digest(last));
      default -> unknown();
    };
  }

  private static RequestPath unknown() {
    return new RequestPath(Kind.UNKNOWN, null, null, null);
  }

  /** The same request for the repository stored as {@code stored}. */
  RequestPath withName(RepositoryName stored) {
    return new RequestPath(kind, stored, reference, digest);
  }

  private static RepositoryName name(String raw) {
    try {
      return RepositoryName.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + e.getMessage());
    }
  }

  /**
   * A manifest reference: a digest when it holds a colon (a tag never does), else a tag. A
   * malformed digest is DIGEST_INVALID; a reference that is no valid tag names no manifest that
   * can exist, so it is MANIFEST_UNKNOWN (404), as distribution answers it (its route matches no
   * such tag) and the OCI conformance pull workflow expects for {@code .INVALID_MANIFEST_NAME}.
   * Either way the upstream is never asked.
   */
  private static Reference reference(String raw, RepositoryName name) {
    if (raw.indexOf(':') >= 0) {
      return Reference.of(digest(raw));
    }
    try {
      return Reference.of(Tag.parse(raw));
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
          "no manifest of " + name + " can exist at this reference: " + e.getMessage());
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
