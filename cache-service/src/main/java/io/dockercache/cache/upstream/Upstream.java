package io.dockercache.cache.upstream;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.common.config.DockerCacheConfig;
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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The upstream registry: sends one request and deals with what Docker Hub puts between a request
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
@ApplicationScoped
public class Upstream {

  private static final Logger LOG = Logger.getLogger(Upstream.class);
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final Set<String> DOCKER_HUB_HOSTS =
      Set.of("registry-1.docker.io", "index.docker.io", "docker.io", "registry.hub.docker.com");

  /** Connections for everything but blob bodies: HEADs, manifests, tag lists, tokens. */
  static final int CONTROL_CONNECTIONS = 16;

  private final URI base;
  private final HttpClient client;
  private final HttpClient blobClient;
  private final long connectTimeoutMillis;
  private final RateLimitGate rateLimit;
  private final BearerTokens tokens;
  private final Optional<String> basicCredentials;
  private final long idleTimeoutMillis;
  private final CacheMetrics metrics;
  private final RedirectPolicy redirectPolicy;
  private volatile boolean basicRequested;

  @Inject
  public Upstream(Vertx vertx, DockerCacheConfig seed, CacheConfig config, CacheMetrics metrics) {
    this(vertx, seed.remoteUri(), config, metrics, Clock.systemUTC());
  }

  Upstream(Vertx vertx, URI remote, CacheConfig config, CacheMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.base = withoutTrailingSlash(remote);
    this.idleTimeoutMillis = config.upstreamIdleTimeout().toMillis();
    this.connectTimeoutMillis = config.upstreamConnectTimeout().toMillis();
    this.client = vertx.createHttpClient(clientOptions(),
        new PoolOptions().setHttp1MaxSize(CONTROL_CONNECTIONS));
    this.blobClient = vertx.createHttpClient(clientOptions(),
        new PoolOptions().setHttp1MaxSize(config.upstreamMaxConnections()));
    this.rateLimit = new RateLimitGate(base.getHost(), clock, metrics);
    this.basicCredentials = config.remoteUsername().map(user -> "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + config.remotePassword().orElse(""))
            .getBytes(StandardCharsets.UTF_8)));
    this.tokens = new BearerTokens(vertx, client, new RealmPolicy(base), basicCredentials,
        connectTimeoutMillis, idleTimeoutMillis,
        new TokenCache(TokenCache.DEFAULT_MAX_ENTRIES, clock));
    this.redirectPolicy = RedirectPolicy.of(base);
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

  /** Docker Hub serves one-component names as {@code library/<name>}. */
  public boolean isDockerHub() {
    return DOCKER_HUB_HOSTS.contains(base.getHost().toLowerCase(Locale.ROOT));
  }

  /**
   * Sends {@code method} to {@code /v2/<repository>/<pathInRepository>}; the answer is paused. Any
   * status is a successful future but a 429 for a manifest or blob, which fails with {@link
   * RateLimitedException}, as does a manifest or blob GET while the back-off window is open; any
   * other failure means no answer at all (connect error, timeout, no pooled connection in time).
   */
  public Future<HttpClientResponse> send(HttpMethod method, RepositoryName repository,
      String pathInRepository, MultiMap headers) {
    URI uri = URI.create(base + "/v2/" + repository + "/" + pathInRepository);
    String what = method + " " + host() + uri.getPath();
    Optional<RateLimitedException> refused = rateLimit.refusal(method, pathInRepository, what);
    if (refused.isPresent()) {
      return Future.failedFuture(refused.get());
    }
    String scope = "repository:" + repository + ":pull";
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
    // Credentials only ever go to the upstream's own origin, never to a CDN it redirects to.
    String token = !sameOrigin(uri) ? null
        : bearer != null ? bearer : tokens.cached(scope).orElse(null);
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setAbsoluteURI(uri.toString())
        .setIdleTimeout(idleTimeoutMillis)
        // Bounds the wait for a pooled connection too: without it Vert.x 4.5 waits forever.
        .setConnectTimeout(connectTimeoutMillis)
        .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    } else if (sameOrigin(uri) && basicRequested && basicCredentials.isPresent()) {
      options.putHeader(HttpHeaders.AUTHORIZATION, basicCredentials.get());
    }
    return exchange(pool, options, uri).compose(resp -> {
      resp.pause();
      int status = resp.statusCode();
      if (status == 401 && !challenged && sameOrigin(uri)) {
        return discard(resp).compose(v -> answerChallenge(resp, scope, token))
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
        return discard(resp).compose(v -> attempt(pool, method, next, headers, scope,
            sameOrigin(next) ? token : null, redirects + 1, challenged));
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
          metrics.upstream(options.getMethod().name(),
              answer.succeeded() ? answer.result().statusCode() : 0, elapsed);
          if (answer.succeeded()) {
            metrics.rateLimitHeader(answer.result().getHeader("ratelimit-remaining"));
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

  /** Finds a challenge we can answer; resolves to a Bearer token, or null for Basic. */
  private Future<String> answerChallenge(HttpClientResponse resp, String scope, String rejected) {
    List<AuthChallenge> challenges;
    try {
      challenges = resp.headers().getAll("WWW-Authenticate").stream()
          .flatMap(h -> AuthChallenge.parse(h).stream()).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new UpstreamException("unreadable WWW-Authenticate from " + host(), e));
    }
    for (AuthChallenge c : challenges) {
      if (c.isBearer()) {
        return tokens.answer(c, rejected);
      }
    }
    for (AuthChallenge c : challenges) {
      if (c.isBasic() && basicCredentials.isPresent()) {
        basicRequested = true;
        return Future.succeededFuture(null);
      }
    }
    return Future.failedFuture(new UpstreamException(host() + " asks for credentials the cache "
        + "does not have (set docker_cache_remote_username / docker_cache_remote_password)"));
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
