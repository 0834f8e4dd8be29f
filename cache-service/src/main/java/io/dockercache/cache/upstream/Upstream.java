package io.dockercache.cache.upstream;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.metrics.UpstreamMeters;
import io.dockercache.common.AuthChallenge;
import io.dockercache.common.RepositoryName;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One upstream registry ({@link UpstreamTarget}; {@code Registries} holds them all): sends one request and deals with what Docker Hub puts between a request
 * and its answer. Answers a Bearer or Basic challenge once, follows redirects (Docker Hub sends
 * blobs to a CDN) without carrying {@code Authorization} to another origin, and applies explicit
 * connect and idle timeouts. The response comes back paused, body unread, for the caller to stream.
 *
 * <p>Blob bodies travel on a pool of their own ({@code docker_cache_upstream_max_connections}), so
 * long fills never take the connections manifest HEADs and tag lists need; the wait for a pooled
 * connection is bounded by the connect timeout. A 429 opens a back-off window ({@link
 * RateLimitGate}): until it ends no manifest or blob GET is sent (HEADs are: Docker Hub does not
 * count them, and they keep tags revalidated), and such requests fail with {@link
 * RateLimitedException}.
 */
public class Upstream {

  private static final Logger LOG = Logger.getLogger(Upstream.class);
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final Set<String> DOCKER_HUB_HOSTS =
      Set.of("registry-1.docker.io", "index.docker.io", "docker.io", "registry.hub.docker.com");

  /** Connections for everything but blob bodies: HEADs, manifests, tag lists, tokens. */
  static final int CONTROL_CONNECTIONS = 16;

  /** Origins other than the upstream's (a redirect target) whose own challenges were answered. */
  private static final int MAX_FOREIGN_REALMS = 16;

  private final Vertx vertx;
  private final URI base;
  private final String prefix;
  private final String name;
  private final HttpClient client;
  private final HttpClient blobClient;
  private final long connectTimeoutMillis;
  private final RateLimitGate rateLimit;
  private final BearerTokens tokens;
  private final Supplier<Optional<String>> basicCredentials;
  private final long idleTimeoutMillis;
  private final UpstreamMeters meters;
  private final RedirectPolicy redirectPolicy;
  private final Clock clock;
  private final Map<String, BearerTokens> foreignTokens = new ConcurrentHashMap<>();
  private volatile boolean basicRequested;

  /** The default upstream alone, with {@code docker_cache_remote_username}'s credentials. */
  Upstream(Vertx vertx, URI remote, CacheConfig config, CacheMetrics metrics, Clock clock) {
    this(vertx, new UpstreamTarget(remote.getHost(), remote, "", basic(config)), config,
        metrics.upstream(remote.getHost()), clock);
  }

  public Upstream(Vertx vertx, UpstreamTarget target, CacheConfig config, UpstreamMeters meters,
      Clock clock) {
    this.vertx = vertx;
    this.meters = meters;
    this.clock = clock;
    this.name = target.name();
    this.prefix = target.prefix();
    this.base = withoutTrailingSlash(target.url());
    this.idleTimeoutMillis = config.upstreamIdleTimeout().toMillis();
    this.connectTimeoutMillis = config.upstreamConnectTimeout().toMillis();
    this.client = vertx.createHttpClient(clientOptions(),
        new PoolOptions().setHttp1MaxSize(CONTROL_CONNECTIONS));
    this.blobClient = vertx.createHttpClient(clientOptions(),
        new PoolOptions().setHttp1MaxSize(config.upstreamMaxConnections()));
    this.rateLimit = new RateLimitGate(base.getHost(), clock, meters);
    this.basicCredentials = target.basic();
    this.tokens = new BearerTokens(vertx, client, new RealmPolicy(base), basicCredentials,
        connectTimeoutMillis, idleTimeoutMillis,
        new TokenCache(TokenCache.DEFAULT_MAX_ENTRIES, clock));
    this.redirectPolicy = RedirectPolicy.of(base);
  }

  /** {@code docker_cache_remote_username} and {@code _password} as a Basic value, if set. */
  public static Supplier<Optional<String>> basic(CacheConfig config) {
    Optional<String> basic = config.remoteUsername().map(user -> "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + config.remotePassword().orElse(""))
            .getBytes(StandardCharsets.UTF_8)));
    return () -> basic;
  }

  /** The largest body chunk the upstream client hands on: netty's largest socket read. */
  static final int BODY_CHUNK = 64 * 1024;

  private HttpClientOptions clientOptions() {
    return new HttpClientOptions()
        .setConnectTimeout((int) connectTimeoutMillis)
        .setKeepAlive(true)
        .setForceSni(true)
        // Bytes must arrive exactly as the upstream hashed them.
        .setDecompressionSupported(false)
        // Body chunks as large as a socket read (netty's default cuts them at 8 KiB): every
        // chunk costs a dispatch, a hash update and a write, so the cold path pays per chunk.
        .setMaxChunkSize(BODY_CHUNK);
  }

  /** The upstream's host, for messages. */
  public String host() {
    return base.getHost();
  }

  /** The name clients use for this registry ({@code ghcr.io}), its metrics label. */
  public String name() {
    return name;
  }

  /** Whether {@code host} is Docker Hub's, which serves one-component names as {@code library/<name>}. */
  public static boolean isDockerHub(String host) {
    return DOCKER_HUB_HOSTS.contains(host.toLowerCase(Locale.ROOT));
  }

  /**
   * Sends {@code method} to {@code /v2/<repository>/<pathInRepository>}; the answer is paused. Any
   * status is a successful future but a 429 for a manifest or blob, which fails with {@link
   * RateLimitedException}, as does a manifest or blob GET while the back-off window is open; any
   * other failure means no answer at all (connect error, timeout, no pooled connection in time).
   */
  public Future<HttpClientResponse> send(HttpMethod method, RepositoryName repository,
      String pathInRepository, MultiMap headers) {
    String remote = remoteName(repository);
    URI uri = URI.create(base + "/v2/" + remote + "/" + pathInRepository);
    String what = method + " " + host() + uri.getPath();
    Optional<RateLimitedException> refused = rateLimit.refusal(method, pathInRepository, what);
    if (refused.isPresent()) {
      return Future.failedFuture(refused.get());
    }
    String scope = "repository:" + remote + ":pull";
    Optional<CacheMetrics.Kind> kind = RateLimitGate.kind(pathInRepository);
    HttpClient pool = method == HttpMethod.GET && kind.orElse(null) == CacheMetrics.Kind.BLOB
        ? blobClient : client;
    return attempt(pool, method, uri, headers, scope, null, 0, false).compose(resp ->
        resp.statusCode() != 429 || kind.isEmpty()
            ? Future.succeededFuture(resp)
            // The window opened when the answer arrived; the caller gets the time it has left.
            : discard(resp).transform(v -> Future.failedFuture(rateLimit.answeredLimited(what))));
  }

  private Future<HttpClientResponse> attempt(HttpClient pool, HttpMethod method, URI uri,
      MultiMap headers, String scope, String bearer, int redirects, boolean challenged) {
    boolean own = sameOrigin(uri);
    // Our credentials only ever go to the upstream's own origin. Another origin a redirect leads
    // to (a CDN, a presigned URL, registry.k8s.io's regional hosts) gets no Authorization unless
    // it asks with a challenge of its own, and then only the token its own realm issued.
    String token = bearer != null ? bearer : own ? tokens.cached(scope).orElse(null) : null;
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setAbsoluteURI(uri.toString())
        .setIdleTimeout(idleTimeoutMillis)
        // Bounds the wait for a pooled connection too: without it Vert.x 4.5 waits forever.
        .setConnectTimeout(connectTimeoutMillis)
        .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    } else if (own && basicRequested) {
      basicCredentials.get().ifPresent(b -> options.putHeader(HttpHeaders.AUTHORIZATION, b));
    }
    return exchange(pool, options, uri).compose(resp -> {
      resp.pause();
      int status = resp.statusCode();
      if (status == 401 && !challenged) {
        return discard(resp).compose(v -> answerChallenge(resp, uri, own, scope, token))
            .compose(newToken -> attempt(pool, method, uri, headers, scope, newToken, redirects, true));
      }
      String location = resp.getHeader(HttpHeaders.LOCATION);
      if (REDIRECTS.contains(status) && location != null) {
        URI next;
        try {
          next = redirectPolicy.next(uri, location, redirects + 1);
        } catch (UpstreamException refused) {
          return discard(resp).transform(v -> Future.failedFuture(refused));
        }
        LOG.debugf("upstream redirects %s to %s", uri.getPath(), next.getHost());
        boolean sameHop = origin(next).equals(origin(uri));
        return discard(resp).compose(v -> attempt(pool, method, next, headers, scope,
            own && sameHop ? token : null, redirects + 1, challenged && sameHop));
      }
      return Future.succeededFuture(resp);
    });
  }

  /**
   * Sends one request; the answer comes back paused. A connection whose peer the redirect policy
   * refuses is reset before a byte of the request is sent.
   */
  private Future<HttpClientResponse> exchange(HttpClient pool, RequestOptions options, URI uri) {
    long sent = System.nanoTime();
    return pool.request(options)
        .compose(req -> {
          SocketAddress peer = req.connection().remoteAddress();
          try {
            redirectPolicy.checkPeer(uri, peer == null ? null : peer.hostAddress());
          } catch (UpstreamException refused) {
            // Nothing is sent to a refused peer, and its connection is not pooled for later.
            req.reset(0, refused);
            req.connection().close();
            return Future.failedFuture(refused);
          }
          return req.send();
        })
        .onComplete(answer -> {
          Duration elapsed = Duration.ofNanos(System.nanoTime() - sent);
          meters.request(options.getMethod().name(),
              answer.succeeded() ? answer.result().statusCode() : 0, elapsed);
          if (answer.succeeded()) {
            meters.rateLimitHeader(answer.result().getHeader("ratelimit-remaining"));
            if (answer.result().statusCode() == 429) {
              rateLimit.answered429(answer.result().getHeader("Retry-After"));
            }
          }
        })
        .recover(failure -> Future.failedFuture(failure instanceof UpstreamException
            ? failure
            : new UpstreamException(options.getMethod() + " " + uri.getHost() + uri.getPath()
                + " failed: " + failure.getMessage(), failure)));
  }

  /**
   * Finds a challenge we can answer; resolves to a Bearer token, or null for Basic. The upstream's
   * own origin may get our credentials (Basic, or through its realm); another origin only a
   * token its own realm issues without credentials.
   */
  private Future<String> answerChallenge(HttpClientResponse resp, URI uri, boolean own,
      String scope, String rejected) {
    List<AuthChallenge> challenges;
    try {
      challenges = resp.headers().getAll("WWW-Authenticate").stream()
          .flatMap(h -> AuthChallenge.parse(h).stream()).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new UpstreamException("unreadable WWW-Authenticate from " + uri.getHost(), e));
    }
    for (AuthChallenge c : challenges) {
      if (c.isBearer()) {
        return (own ? tokens : foreignTokens(uri)).answer(c, rejected);
      }
    }
    if (own) {
      for (AuthChallenge c : challenges) {
        if (c.isBasic() && basicCredentials.get().isPresent()) {
          basicRequested = true;
          return Future.succeededFuture(null);
        }
      }
    }
    return Future.failedFuture(new UpstreamException(uri.getHost() + " asks for credentials the "
        + "cache does not have for " + name + (own ? " (set docker_cache_upstream_auth_file, or "
        + "docker_cache_remote_username / docker_cache_remote_password for the default upstream)"
        : " (a host " + host() + " redirected to, which gets no credentials)")));
  }

  /** The tokens of another origin, from realms of its own domain, asked without credentials. */
  private BearerTokens foreignTokens(URI uri) {
    String origin = origin(uri);
    if (foreignTokens.size() >= MAX_FOREIGN_REALMS && !foreignTokens.containsKey(origin)) {
      foreignTokens.clear();
    }
    return foreignTokens.computeIfAbsent(origin, o -> new BearerTokens(vertx, client,
        new RealmPolicy(uri), Optional::empty, connectTimeoutMillis, idleTimeoutMillis,
        new TokenCache(TokenCache.DEFAULT_MAX_ENTRIES / MAX_FOREIGN_REALMS, clock)));
  }

  private static String origin(URI uri) {
    return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT)
        + ":" + port(uri);
  }

  /** A stored repository name as this upstream knows it: without the registry's prefix. */
  String remoteName(RepositoryName stored) {
    String s = stored.toString();
    if (!s.startsWith(prefix)) {
      throw new IllegalArgumentException(stored + " is not a repository of " + name);
    }
    return s.substring(prefix.length());
  }

  private boolean sameOrigin(URI uri) {
    return uri.getScheme().equalsIgnoreCase(base.getScheme())
        && uri.getHost().equalsIgnoreCase(base.getHost())
        && port(uri) == port(base);
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  /** Reads and drops a response body we do not need, so the connection can be reused. */
  public static Future<Void> discard(HttpClientResponse resp) {
    resp.handler(ignored -> {});
    resp.resume();
    return resp.end();
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }
}
