package io.dockercache.cache.upstream;

import io.dockercache.common.config.UpstreamRegistries;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code docker_cache_upstream_auth_file}: credentials per registry in Docker's {@code config.json}
 * format, {@code {"auths": {"ghcr.io": {"auth": "<base64 user:token>"}}}} (or {@code username} and
 * {@code password} fields). Keys may be written as a host, {@code host:port} or a URL
 * ({@code https://index.docker.io/v1/}); every name of Docker Hub means Docker Hub.
 *
 * <p>The file is read at start and again by {@link #reloadIfChanged} when its size, time or inode
 * changed (a Kubernetes Secret volume swaps a symlink). A file absent at the path means no
 * credentials (the Secret is optional); one that cannot be read keeps the credentials it had.
 * Values are never logged.
 */
public final class UpstreamAuthFile {

  private static final Logger LOG = Logger.getLogger(UpstreamAuthFile.class);
  private static final String DOCKER_HUB = "docker.io";

  private final Path path;
  private volatile Map<String, String> basicByHost = Map.of();
  private volatile Object stamp;

  private UpstreamAuthFile(Path path) {
    this.path = path;
  }

  /** No file: no credentials for any registry. */
  public static UpstreamAuthFile none() {
    return new UpstreamAuthFile(null);
  }

  /** Reads {@code path}; throws {@link IllegalArgumentException} naming the problem of a bad file. */
  public static UpstreamAuthFile load(Path path) {
    UpstreamAuthFile file = new UpstreamAuthFile(path);
    Optional<Object> stamp = stamp(path);
    if (stamp.isEmpty()) {
      LOG.infof("docker_cache_upstream_auth_file: %s does not exist: no upstream credentials from it", path);
    } else {
      file.basicByHost = parse(read(path), path);
      file.stamp = stamp.get();
    }
    return file;
  }

  /**
   * The {@code Authorization: Basic} value for a registry, by the names it goes by: the host
   * configured for it ({@code ghcr.io}), then its URL's {@code host:port} and host.
   */
  public Optional<String> basic(String... names) {
    Map<String, String> byHost = basicByHost;
    for (String name : names) {
      String value = name == null ? null : byHost.get(normalize(name));
      if (value != null) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /** Reads the file again when it changed since the last read. Blocking: call it off the event loop. */
  public void reloadIfChanged() {
    if (path == null) {
      return;
    }
    Optional<Object> now;
    try {
      now = stamp(path);
    } catch (IllegalArgumentException e) {
      LOG.warnf("%s; the credentials read before stay in use", e.getMessage());
      return;
    }
    if (Objects.equals(now.orElse(null), stamp)) {
      return;
    }
    if (now.isEmpty()) {
      basicByHost = Map.of();
      stamp = null;
      LOG.infof("docker_cache_upstream_auth_file: %s is gone: no upstream credentials from it", path);
      return;
    }
    try {
      basicByHost = parse(read(path), path);
      stamp = now.get();
      LOG.infof("docker_cache_upstream_auth_file: %s read again (%d registries)", path, basicByHost.size());
    } catch (IllegalArgumentException e) {
      stamp = now.get(); // said once per change, not on every check
      LOG.warnf("%s; the credentials read before stay in use", e.getMessage());
    }
  }

  /** Whether a file is configured at all (else there is nothing to watch). */
  public boolean isConfigured() {
    return path != null;
  }

  /** The registries with credentials, normalized; for tests and messages (never the values). */
  int size() {
    return basicByHost.size();
  }

  static Map<String, String> parse(String text, Path path) {
    String where = "docker_cache_upstream_auth_file: " + path;
    JsonObject auths;
    try {
      JsonObject root = new JsonObject(text);
      Object value = root.getValue("auths");
      if (!(value instanceof JsonObject object)) {
        throw new IllegalArgumentException(where + " has no \"auths\" object; allowed: Docker's "
            + "config.json, {\"auths\": {\"ghcr.io\": {\"auth\": \"<base64 user:token>\"}}}");
      }
      auths = object;
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(where + " is not JSON: " + e.getMessage());
    }
    Map<String, String> byHost = new HashMap<>();
    for (String key : auths.fieldNames()) {
      Object entry = auths.getValue(key);
      String basic = entry instanceof JsonObject object ? basic(object) : null;
      if (basic == null) {
        throw new IllegalArgumentException(where + ": the entry of \"" + key + "\" holds no "
            + "\"auth\" (base64 of user:password) nor \"username\" and \"password\"");
      }
      byHost.put(normalize(key), basic);
    }
    return Map.copyOf(byHost);
  }

  private static String basic(JsonObject entry) {
    Object auth = entry.getValue("auth");
    if (auth instanceof String encoded && !encoded.isBlank()) {
      try {
        String pair = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
        return pair.indexOf(':') > 0 ? "Basic " + encoded.strip() : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    if (entry.getValue("username") instanceof String user && !user.isEmpty()
        && entry.getValue("password") instanceof String password) {
      return "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }

  /** {@code https://index.docker.io/v1/} → {@code docker.io}; {@code GHCR.io/} → {@code ghcr.io}. */
  static String normalize(String key) {
    String s = key.strip().toLowerCase(Locale.ROOT);
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    return UpstreamRegistries.DOCKER_HUB_NAMES.contains(s) || s.equals("registry.hub.docker.com")
        ? DOCKER_HUB : s;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("docker_cache_upstream_auth_file: " + path
          + " cannot be read: " + e);
    }
  }

  /** What tells a changed file: size, modification time and inode (of the symlink's target). */
  private static Optional<Object> stamp(Path path) {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return Optional.of(java.util.List.of(a.size(), a.lastModifiedTime(),
          String.valueOf(a.fileKey())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IllegalArgumentException("docker_cache_upstream_auth_file: " + path
          + " cannot be read: " + e);
    }
  }
}
