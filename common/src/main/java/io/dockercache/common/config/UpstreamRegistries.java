package io.dockercache.common.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;

/**
 * {@code docker_cache_registries}: the upstreams besides the default one (DESIGN.md §3b), by the
 * host name clients use for them ({@code ghcr.io}). Written in {@code config.yaml} as a YAML map
 * ({@code ghcr.io: https://ghcr.io}) or, as one value (an environment variable), as {@code host=url}
 * pairs separated by commas. Empty by default: the default upstream only.
 *
 * <p>The host is the key of the closed world: a request is only ever sent to a URL configured
 * here, never to a host a request names. It is also the first component of the registry's
 * repositories in storage ({@code ghcr.io/owner/app}), so it must be a valid lowercase repository
 * path component: a DNS name without a port.
 */
public final class UpstreamRegistries {

  public static final String KEY = "docker_cache_registries";

  /** The names of Docker Hub, which always mean the default upstream (containerd sends these). */
  public static final Set<String> DOCKER_HUB_NAMES =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

  /** A repository path component made of DNS labels: what a host must look like here. */
  private static final Pattern HOST = Pattern.compile("[a-z0-9]+(?:[.-][a-z0-9]+)*");

  private static final UpstreamRegistries NONE = new UpstreamRegistries(Map.of());

  private final Map<String, URI> byHost;

  private UpstreamRegistries(Map<String, URI> byHost) {
    this.byHost = Collections.unmodifiableMap(byHost);
  }

  public static UpstreamRegistries none() {
    return NONE;
  }

  /** Host → URL, in the order configured. */
  public Map<String, URI> hosts() {
    return byHost;
  }

  /** The URL of {@code host} (lowercase), if configured. */
  public Optional<URI> url(String host) {
    return Optional.ofNullable(byHost.get(host));
  }

  public boolean isEmpty() {
    return byHost.isEmpty();
  }

  /**
   * Reads the key from {@code config}: one value in the {@code host=url,...} form (environment,
   * system property, a YAML string), else the YAML map's entries ({@code docker_cache_registries."ghcr.io"}).
   * Throws {@link IllegalArgumentException} naming every problem.
   */
  public static UpstreamRegistries from(Config config) {
    Optional<String> single = config.getOptionalValue(KEY, String.class);
    if (single.isPresent()) {
      return parse(single.get());
    }
    Map<String, String> entries = new LinkedHashMap<>();
    String prefix = KEY + ".";
    for (String name : config.getPropertyNames()) {
      if (name.startsWith(prefix)) {
        String host = unquote(name.substring(prefix.length()));
        config.getOptionalValue(name, String.class).ifPresent(url -> entries.put(host, url));
      }
    }
    return of(entries);
  }

  /** Parses the one-value form: {@code host=url} pairs separated by commas; blank is none. */
  public static UpstreamRegistries parse(String value) {
    Map<String, String> entries = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String pair : value.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        problems.add(KEY + ": \"" + pair.strip() + "\" is not host=url; allowed: host=url pairs "
            + "separated by commas, e.g. ghcr.io=https://ghcr.io,nvcr.io=https://nvcr.io");
        continue;
      }
      String host = pair.substring(0, eq).strip();
      if (entries.putIfAbsent(host, pair.substring(eq + 1).strip()) != null) {
        problems.add(KEY + ": \"" + host + "\" is named twice");
      }
    }
    return check(entries, problems);
  }

  /** Checks host → URL entries (the YAML map's). */
  public static UpstreamRegistries of(Map<String, String> entries) {
    return check(entries, new ArrayList<>());
  }

  private static UpstreamRegistries check(Map<String, String> entries, List<String> problems) {
    Map<String, URI> byHost = new LinkedHashMap<>();
    entries.forEach((host, url) -> {
      String where = KEY + ": \"" + host + "\"";
      if (!HOST.matcher(host).matches()) {
        problems.add(where + " is not a registry host; allowed: a lowercase DNS name without a "
            + "port, as containerd sends it in ?ns= (e.g. ghcr.io)");
      } else if (DOCKER_HUB_NAMES.contains(host)) {
        problems.add(where + " is Docker Hub, which is the default upstream; set "
            + "docker_cache_remote_url instead");
      } else if (!byHost.containsKey(host)) {
        checkUrl(where, url, problems).ifPresent(uri -> byHost.put(host, uri));
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return byHost.isEmpty() ? NONE : new UpstreamRegistries(byHost);
  }

  private static Optional<URI> checkUrl(String where, String url, List<String> problems) {
    String allowed = "; allowed: an http:// or https:// URL with a host, e.g. https://ghcr.io";
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      problems.add(where + ": \"" + url + "\" is not a URL" + allowed);
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
        || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
        || !path.replace("/", "").isEmpty()) {
      problems.add(where + ": \"" + url + "\" is not usable" + allowed + " and no path");
      return Optional.empty();
    }
    return Optional.of(URI.create(scheme + "://" + uri.getRawAuthority()));
  }

  private static String unquote(String key) {
    return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")
        ? key.substring(1, key.length() - 1) : key;
  }

  @Override
  public String toString() {
    return byHost.toString();
  }
}
