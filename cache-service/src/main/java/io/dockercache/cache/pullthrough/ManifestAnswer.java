package io.dockercache.cache.pullthrough;

import io.dockercache.common.Digest;
import io.vertx.core.buffer.Buffer;

/**
 * A manifest to send: its digest, media type and size, and its bytes unless the client asked with
 * HEAD and the bytes were not at hand.
 */
public record ManifestAnswer(Digest digest, String mediaType, long size, Buffer body,
    CacheResult result) {

  ManifestAnswer withResult(CacheResult r) {
    return new ManifestAnswer(digest, mediaType, size, body, r);
  }
}
