package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.config.TestCacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.common.RepositoryName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The back-off against a real server on 127.0.0.1 that answers 429 until told otherwise. */
class UpstreamRateLimitTest {

  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");

  private Vertx vertx;
  private HttpServer server;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private volatile boolean limiting = true;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.method() + " " + req.path());
      if (limiting) {
        req.response().setStatusCode(429).putHeader("Retry-After", "30").end("{}");
      } else {
        req.response().end("ok");
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void get429_failsRateLimited_laterGetsNotSent_headsAndTagListsStillSent() throws Exception {
    Upstream upstream = upstream();

    RateLimitedException first = failure(upstream, HttpMethod.GET, "manifests/latest");
    limiting = false;
    RateLimitedException held = failure(upstream, HttpMethod.GET, "blobs/sha256:" + "a".repeat(64));
    int head = status(upstream, HttpMethod.HEAD, "manifests/latest");
    int tags = status(upstream, HttpMethod.GET, "tags/list");

    long left = first.retryAfterSeconds(Instant.now());
    assertTrue(left >= 29 && left <= 30, "Retry-After for the client: " + left);
    assertTrue(held.getMessage().contains("not sent"), held.getMessage());
    assertEquals(200, head);
    assertEquals(200, tags);
    assertEquals(List.of("GET /v2/library/alpine/manifests/latest", "HEAD /v2/library/alpine/manifests/latest",
        "GET /v2/library/alpine/tags/list"), seen);
    assertEquals(1.0, registry.get("docker_cache_upstream_held_back").tags("kind", "blob").counter().count());
    assertTrue(registry.get("docker_cache_upstream_backoff_seconds").gauge().value() >= 29);
  }

  @Test
  void head429_failsRateLimited_andHoldsBackGets() throws Exception {
    Upstream upstream = upstream();

    failure(upstream, HttpMethod.HEAD, "manifests/latest");
    limiting = false;
    failure(upstream, HttpMethod.GET, "manifests/latest");

    assertEquals(List.of("HEAD /v2/library/alpine/manifests/latest"), seen);
  }

  private Upstream upstream() {
    return new Upstream(vertx, URI.create("http://127.0.0.1:" + server.actualPort()), TestCacheConfig.defaults(),
        new CacheMetrics(registry), Clock.systemUTC());
  }

  private int status(Upstream upstream, HttpMethod method, String path) throws Exception {
    return await(onContext(() -> upstream.send(method, REPO, path, MultiMap.caseInsensitiveMultiMap())
        .compose(resp -> Upstream.discard(resp).map(v -> resp.statusCode()))));
  }

  private RateLimitedException failure(Upstream upstream, HttpMethod method, String path) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(onContext(
        () -> upstream.send(method, REPO, path, MultiMap.caseInsensitiveMultiMap())
            .map(HttpClientResponse::statusCode))));
    return assertInstanceOf(RateLimitedException.class, e.getCause());
  }

  private <T> Future<T> onContext(Supplier<Future<T>> call) {
    return Future.future(done -> vertx.runOnContext(v -> call.get().onComplete(done)));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
