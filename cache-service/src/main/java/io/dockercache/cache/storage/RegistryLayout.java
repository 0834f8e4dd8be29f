package io.dockercache.cache.storage;

import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.nio.charset.StandardCharsets;

/**
 * The distribution registry's ({@code registry:2}) storage paths, so that an existing OpenPAI volume
 * is served as it is and {@code registry:2} can read what we store. See distribution's
 * {@code registry/storage/paths.go} for the layout this mirrors.
 */
public final class RegistryLayout {

  static final String ROOT = "docker/registry/v2/";
  public static final String REPOSITORIES = ROOT + "repositories/";

  private RegistryLayout() {}

  public static String blobData(Digest digest) {
    return ROOT + "blobs/" + digest.algorithm() + "/" + digest.hex().substring(0, 2) + "/"
        + digest.hex() + "/data";
  }

  public static String repository(RepositoryName name) {
    return REPOSITORIES + name + "/";
  }

  public static String layerLink(RepositoryName name, Digest digest) {
    return repository(name) + "_layers/" + digest.algorithm() + "/" + digest.hex() + "/link";
  }

  public static String revisionLink(RepositoryName name, Digest digest) {
    return repository(name) + "_manifests/revisions/" + digest.algorithm() + "/" + digest.hex()
        + "/link";
  }

  public static String tags(RepositoryName name) {
    return repository(name) + "_manifests/tags/";
  }

  public static String tagCurrentLink(RepositoryName name, Tag tag) {
    return tags(name) + tag + "/current/link";
  }

  public static String tagIndexLink(RepositoryName name, Tag tag, Digest digest) {
    return tags(name) + tag + "/index/" + digest.algorithm() + "/" + digest.hex() + "/link";
  }

  /** A link file's content: the digest it points to, as the registry writes it. */
  public static byte[] linkContent(Digest digest) {
    return digest.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Parses a link file, tolerating the trailing whitespace other tools may leave. */
  public static Digest parseLink(byte[] content) {
    return Digest.parse(new String(content, StandardCharsets.US_ASCII).trim());
  }
}
