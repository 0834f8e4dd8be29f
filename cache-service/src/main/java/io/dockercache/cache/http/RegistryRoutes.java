package io.dockercache.cache.http;

import io.dockercache.cache.auth.Authenticator;
import io.dockercache.cache.lifecycle.AccessLog;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.metrics.CacheMetrics.Kind;
import io.dockercache.cache.metrics.CacheMetrics.Result;
import io.dockercache.cache.metrics.CacheMetrics.Source;
import io.dockercache.cache.pullthrough.BlobService;
import io.dockercache.cache.pullthrough.BlobSource;
import io.dockercache.cache.pullthrough.ManifestAnswer;
import io.dockercache.cache.pullthrough.ManifestService;
import io.dockercache.cache.pullthrough.RepositoryListings;
import io.dockercache.cache.routing.Registries;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The Registry HTTP API v2, pull side, as Vert.x routes (bodies stream; nothing is buffered by a
 * framework). Parses and validates each request, then hands it to the pull-through services.
 */
@ApplicationScoped
public class RegistryRoutes {

  static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
  static final String API_VERSION = "registry/2.0";
  private static final int DEFAULT_CATALOG_PAGE = 100;
  private static final int MAX_CATALOG_PAGE = 1000;
  /** Header names encoded once, not per response. */
  private static final CharSequence API_VERSION_NAME = HttpHeaders.createOptimized(API_VERSION_HEADER);
  private static final CharSequence API_VERSION_VALUE = HttpHeaders.createOptimized(API_VERSION);
  private static final CharSequence CONTENT_DIGEST = HttpHeaders.createOptimized("Docker-Content-Digest");

  private final Vertx vertx;
  private final ManifestService manifests;
  private final BlobService blobs;
  private final RepositoryListings listings;
  private final Registries registries;
  private final AuthHandler auth;
  private final CacheMetrics metrics;
  private final AccessLog access;

  @Inject
  public RegistryRoutes(Vertx vertx, ManifestService manifests, BlobService blobs,
      RepositoryListings listings, Registries registries, Authenticator authenticator,
      CacheMetrics metrics, AccessLog access) {
    this.metrics = metrics;
    this.access = access;
    this.vertx = vertx;
    this.manifests = manifests;
    this.blobs = blobs;
    this.listings = listings;
    this.registries = registries;
    this.auth = new AuthHandler(authenticator);
  }

  void register(@Observes Router router) {
    router.route().order(-100).handler(ctx -> {
      ctx.response().putHeader(API_VERSION_NAME, API_VERSION_VALUE);
      ctx.next();
    });
    router.route("/v2*").handler(auth).handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    boolean head = request.method() == HttpMethod.HEAD;
    try {
      RequestPath path = RequestPath.parse(request.path());
      if (path.name() != null) {
        // containerd names the registry of a mirrored pull with ?ns=<host>.
        path = path.withName(registries.route(request.query() == null ? null : request.getParam("ns"),
            path.name()));
      }
      if (request.method() != HttpMethod.GET && !head) {
        throw new RegistryException(ErrorCode.UNSUPPORTED,
            request.method() + " is not supported: this registry is a read-only pull-through cache");
      }
      switch (path.kind()) {
        case BASE -> json(request.response(), head, "{}", null);
        case CATALOG -> catalog(request, head);
        case MANIFEST -> manifest(request, path, head);
        case BLOB -> blob(request, path, head);
        case TAGS -> {
          if (head) {
            // Only a GET tells the upstream's list, and a client HEAD never costs one (DESIGN.md §3
            // rule 4); distribution answers a HEAD here with 405 as well.
            throw new RegistryException(ErrorCode.UNSUPPORTED, "a tag list is only served to GET");
          }
          listings.tags(path.name(), request.query())
              .onSuccess(l -> json(request.response(), head, l.json().toString(), l.link()))
              .onFailure(e -> ErrorResponder.send(request.response(), head, e));
        }
        case BLOB_UPLOAD -> throw new RegistryException(ErrorCode.UNSUPPORTED,
            "uploads are not supported: this registry is a read-only pull-through cache");
        case UNKNOWN -> throw new RegistryException(ErrorCode.UNSUPPORTED,
            "no such endpoint: " + request.path());
      }
    } catch (RuntimeException e) {
      ErrorResponder.send(request.response(), head, e);
    }
  }

  private void manifest(HttpServerRequest request, RequestPath path, boolean head) {
    manifests.get(path.name(), path.reference(), head, accept(request))
        .onSuccess(answer -> {
          Result result = switch (answer.result()) {
            case HIT -> Result.HIT;
            case MISS -> Result.MISS;
            case STALE -> Result.STALE;
          };
          metrics.request(Kind.MANIFEST, result);
          if (!head && answer.body() != null) {
            metrics.served(result == Result.MISS ? Source.UPSTREAM : Source.STORAGE, answer.body().length());
          }
          sendManifest(request.response(), head, answer);
        })
        .onFailure(e -> {
          metrics.request(Kind.MANIFEST, Result.ERROR);
          ErrorResponder.send(request.response(), head, e);
        });
  }

  /** The client's Accept headers as one list, null when it sent none. */
  private static String accept(HttpServerRequest request) {
    java.util.List<String> all = request.headers().getAll(HttpHeaders.ACCEPT);
    if (all.size() == 1) {
      return all.get(0).isEmpty() ? null : all.get(0);
    }
    String accept = String.join(", ", all);
    return accept.isEmpty() ? null : accept;
  }

  private static void sendManifest(HttpServerResponse response, boolean head, ManifestAnswer answer) {
    String digest = answer.digest().toString();
    response.putHeader(CONTENT_DIGEST, digest)
        .putHeader(HttpHeaders.ETAG, "\"" + digest + "\"");
    if (answer.mediaType() != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, answer.mediaType());
    }
    if (answer.size() >= 0) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(answer.size()));
    }
    if (head || answer.body() == null) {
      response.end();
    } else {
      response.end(answer.body());
    }
  }

  private void blob(HttpServerRequest request, RequestPath path, boolean head) {
    if (head) {
      blobs.size(path.name(), path.digest())
          .onSuccess(size -> request.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
              .putHeader("Docker-Content-Digest", path.digest().toString())
              .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
              .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(size))
              .end())
          .onFailure(e -> ErrorResponder.send(request.response(), true, e));
      return;
    }
    // Never evicted while looked up or sent (DESIGN.md §3a): pinned before storage is read.
    // Vert.x calls the end handler on a clean end and on a close before it; the streamers own
    // the close handler.
    Runnable served = access.serving(path.digest());
    HttpServerResponse response = request.response();
    response.endHandler(v -> served.run());
    blobs.open(path.name(), path.digest())
        .onSuccess(source -> {
          boolean miss = source instanceof BlobSource.Filling || source instanceof BlobSource.PassThrough;
          metrics.request(Kind.BLOB, miss ? Result.MISS : Result.HIT);
          // only a running fill sends regions of its own; a stored blob goes by Vert.x's sendFile
          Optional<ZeroCopy> zeroCopy = source instanceof BlobSource.Filling
              ? ZeroCopy.of(request) : Optional.empty();
          response.endHandler(v -> {
            served.run();
            metrics.served(miss ? Source.UPSTREAM : Source.STORAGE,
                response.bytesWritten() + zeroCopy.map(ZeroCopy::sent).orElse(0L));
          });
          BlobResponder.send(vertx, request, path.digest(), source, zeroCopy);
        })
        .onFailure(e -> {
          metrics.request(Kind.BLOB, Result.ERROR);
          served.run();
          ErrorResponder.send(response, false, e);
        });
  }

  private void catalog(HttpServerRequest request, boolean head) {
    int n = DEFAULT_CATALOG_PAGE;
    String rawN = request.getParam("n");
    if (rawN != null) {
      try {
        n = Math.max(0, Math.min(MAX_CATALOG_PAGE, Integer.parseInt(rawN)));
      } catch (NumberFormatException e) {
        throw new RegistryException(ErrorCode.UNSUPPORTED, "n=" + rawN + " is not a number");
      }
    }
    listings.catalog(n, request.getParam("last"))
        .onSuccess(l -> json(request.response(), head, l.json().toString(), l.link()))
        .onFailure(e -> ErrorResponder.send(request.response(), head, e));
  }

  private static void json(HttpServerResponse response, boolean head, String body, String link) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
    if (link != null) {
      response.putHeader("Link", link);
    }
    if (head) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH,
          String.valueOf(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)).end();
    } else {
      response.end(body);
    }
  }
}
