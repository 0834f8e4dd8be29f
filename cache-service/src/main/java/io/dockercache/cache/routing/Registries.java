package io.dockercache.cache.routing;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.upstream.Upstream;
import io.dockercache.cache.upstream.UpstreamAuthFile;
import io.dockercache.cache.upstream.UpstreamTarget;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.common.config.UpstreamRegistries;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Every upstream registry of the configuration, and how a request names one (DESIGN.md §3b).
 *
 * <p>The default upstream's repositories are stored under their own names ({@code library/nginx},
 * registry:2's layout, so an existing volume is served as it is); another registry's under
 * {@code <host>/<name>} ({@code ghcr.io/owner/app}). A stored name therefore says which upstream
 * it belongs to ({@link #of}): a default-upstream name never starts with a configured host.
 */
@ApplicationScoped
public class Registries {

  private static final Logger LOG = Logger.getLogger(Registries.class);
  /** How often the auth file is checked for a change (a Secret volume updates within a minute). */
  private static final long AUTH_FILE_CHECK_MILLIS = 10_000;
  /** Longest registry name quoted back in an error: the value comes from a request. */
  private static final int MAX_QUOTED = 80;

  private final Upstream defaultUpstream;
  private final boolean dockerHub;
  private final String defaultAuthority;
  private final Map<String, Upstream> byHost = new LinkedHashMap<>();

  @Inject
  public Registries(Vertx vertx, DockerCacheConfig seed, CacheConfig config, CacheMetrics metrics) {
    this(vertx, seed.remoteUri(), UpstreamRegistries.from(ConfigProvider.getConfig()),
        config.upstreamAuthFile().map(p -> UpstreamAuthFile.load(Path.of(p)))
            .orElseGet(UpstreamAuthFile::none), config, metrics);
  }

  Registries(Vertx vertx, URI remote, UpstreamRegistries others, UpstreamAuthFile auth,
      CacheConfig config, CacheMetrics metrics) {
    Clock clock = Clock.systemUTC();
    this.dockerHub = Upstream.isDockerHub(remote.getHost());
    this.defaultAuthority = remote.getRawAuthority().toLowerCase(Locale.ROOT);
    String defaultName = dockerHub ? "docker.io" : remote.getHost();
    if (others.url(defaultName).isPresent()) {
      defaultName = "default"; // the metrics label must tell the two apart
    }
    // docker_cache_remote_username is the admin's explicit choice for the default upstream.
    Supplier<Optional<String>> explicit = Upstream.basic(config);
    String[] defaultKeys = {dockerHub ? "docker.io" : defaultAuthority, remote.getHost()};
    this.defaultUpstream = new Upstream(vertx, new UpstreamTarget(defaultName, remote, "",
        () -> explicit.get().or(() -> auth.basic(defaultKeys))), config,
        metrics.upstream(defaultName), clock);
    others.hosts().forEach((host, url) -> {
      String[] keys = {host, url.getRawAuthority(), url.getHost()};
      byHost.put(host, new Upstream(vertx, new UpstreamTarget(host, url, host + "/",
          () -> auth.basic(keys)), config, metrics.upstream(host), clock));
    });
    if (!byHost.isEmpty()) {
      LOG.infof("upstreams: %s (default), %s", remote, others);
    }
    if (auth.isConfigured()) {
      vertx.setPeriodic(AUTH_FILE_CHECK_MILLIS, id -> vertx.executeBlocking(() -> {
        auth.reloadIfChanged();
        return null;
      }, false));
    }
  }

  /** Whether the default upstream is Docker Hub, whose one-component names mean {@code library/}. */
  public boolean defaultIsDockerHub() {
    return dockerHub;
  }

  /** The upstream a stored repository name belongs to. */
  public Upstream of(RepositoryName stored) {
    if (!byHost.isEmpty()) {
      String s = stored.toString();
      int slash = s.indexOf('/');
      Upstream upstream = slash > 0 ? byHost.get(s.substring(0, slash)) : null;
      if (upstream != null) {
        return upstream;
      }
    }
    return defaultUpstream;
  }

  /**
   * The stored name of the repository a request names: {@code requested} as the path gave it,
   * {@code ns} the registry containerd named ({@code ?ns=}, null when absent). Throws
   * NAME_UNKNOWN for a registry that is not configured (nothing is sent to it) and NAME_INVALID
   * for a name that cannot be one of the registry's.
   */
  public RepositoryName route(String ns, RepositoryName requested) {
    if (ns != null) {
      String host = ns.strip().toLowerCase(Locale.ROOT);
      if (UpstreamRegistries.DOCKER_HUB_NAMES.contains(host) || host.equals(defaultAuthority)) {
        return defaultName(requested);
      }
      if (!byHost.containsKey(host)) {
        throw new RegistryException(ErrorCode.NAME_UNKNOWN, "registry \"" + excerpt(host)
            + "\" is not served by this cache (docker_cache_registries names those it is); it was"
            + " not contacted");
      }
      return named(host + "/" + requested);
    }
    String s = requested.toString();
    int slash = s.indexOf('/');
    if (slash > 0) {
      String first = s.substring(0, slash);
      if (byHost.containsKey(first)) {
        return requested;
      }
      if (UpstreamRegistries.DOCKER_HUB_NAMES.contains(first)) {
        return defaultName(named(s.substring(slash + 1)));
      }
    }
    return defaultName(requested);
  }

  private RepositoryName defaultName(RepositoryName requested) {
    RepositoryName stored = dockerHub ? named(() -> requested.withLibraryPrefix()) : requested;
    String s = stored.toString();
    int slash = s.indexOf('/');
    if (slash > 0 && byHost.containsKey(s.substring(0, slash))) {
      throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + s
          + " of the default upstream starts with " + s.substring(0, slash)
          + ", which names another registry here (docker_cache_registries)");
    }
    return stored;
  }

  private static RepositoryName named(String value) {
    return named(() -> RepositoryName.parse(value));
  }

  private static RepositoryName named(Supplier<RepositoryName> name) {
    try {
      return name.get();
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + e.getMessage());
    }
  }

  private static String excerpt(String value) {
    String clean = value.codePoints().filter(c -> c >= 0x20 && c < 0x7f)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return clean.length() <= MAX_QUOTED ? clean : clean.substring(0, MAX_QUOTED) + "...";
  }
}
