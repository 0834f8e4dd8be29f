package io.dockercache.cache.lifecycle;

import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The last-use stamps kept in storage across restarts, under our own {@code docker-cache/} prefix
 * (registry:2 ignores it). A cache of what the process knew: written whole and atomically now and
 * then, off the request path; missing or damaged records only mean "used at start", never a
 * failure to start. Format: a version line, then {@code <sha256 hex> <epoch millis>} per line.
 */
final class AccessRecords {

  static final String KEY = "docker-cache/access-records";
  private static final String VERSION = "docker-cache access records v1";
  /** About 80 bytes a record: room for a million blobs. */
  private static final int MAX_BYTES = 96 * 1024 * 1024;
  private static final Logger LOG = Logger.getLogger(AccessRecords.class);

  private AccessRecords() {}

  static Map<Digest, Long> read(Storage storage) {
    Optional<byte[]> bytes;
    try {
      bytes = storage.readSmall(KEY, MAX_BYTES);
    } catch (IOException | RuntimeException e) {
      LOG.warnf("access records unreadable, every blob counts as used now: %s", e.getMessage());
      return Map.of();
    }
    return bytes.map(AccessRecords::parse).orElse(Map.of());
  }

  static Map<Digest, Long> parse(byte[] bytes) {
    String[] lines = new String(bytes, StandardCharsets.US_ASCII).split("\n");
    if (lines.length == 0 || !lines[0].equals(VERSION)) {
      LOG.warnf("access records in %s have no known version line; ignored", KEY);
      return Map.of();
    }
    Map<Digest, Long> stamps = new HashMap<>();
    int damaged = 0;
    for (int i = 1; i < lines.length; i++) {
      int space = lines[i].indexOf(' ');
      try {
        stamps.put(new Digest("sha256", lines[i].substring(0, space)),
            Long.parseLong(lines[i].substring(space + 1)));
      } catch (RuntimeException e) {
        damaged++;
      }
    }
    if (damaged > 0) {
      LOG.warnf("%d damaged lines in %s ignored", damaged, KEY);
    }
    return stamps;
  }

  static void write(Storage storage, Map<Digest, Long> stamps) throws IOException {
    StringBuilder out = new StringBuilder(VERSION.length() + 1 + stamps.size() * 80).append(VERSION).append('\n');
    stamps.forEach((d, t) -> {
      if (d.isSha256()) {
        out.append(d.hex()).append(' ').append(t).append('\n');
      }
    });
    storage.writeSmall(KEY, out.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
