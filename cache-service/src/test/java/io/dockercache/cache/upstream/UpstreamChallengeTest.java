package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.config.TestCacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.common.RepositoryName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Challenges as registries really send them, against two real servers on 127.0.0.1: the registry
 * itself, and another origin it redirects to with a realm of its own (registry.k8s.io's regional
 * hosts). Which Authorization reached which server is recorded.
 */
class UpstreamChallengeTest {

  private static final RepositoryName STORED = RepositoryName.parse("public.ecr.aws/team/app");

  private Vertx vertx;
  private HttpServer registry;
  private HttpServer regional;
  /** "server path Authorization" of every request. */
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    regional = await(vertx.createHttpServer().requestHandler(req -> {
      record("regional", req);
      String realm = "http://127.0.0.1:" + req.localAddress().port() + "/token";
      if (req.path().equals("/token")) {
        req.response().end("{\"token\": \"regional-token\"}");
      } else if ("Bearer regional-token".equals(req.getHeader("Authorization"))) {
        req.response().end("from-regional");
      } else {
        req.response().setStatusCode(401).putHeader("WWW-Authenticate",
            "Bearer realm=\"" + realm + "\",service=regional,scope=\"repository:images/app:pull\"").end();
      }
    }).listen(0, "127.0.0.1"));
    registry = await(vertx.createHttpServer().requestHandler(req -> {
      record("registry", req);
      String realm = "http://127.0.0.1:" + req.localAddress().port() + "/token";
      if (req.path().equals("/token")) {
        req.response().end("{\"token\": \"ecr-token\", \"expires_in\": 300}");
      } else if (req.path().endsWith("/moved")) {
        req.response().setStatusCode(307).putHeader("Location",
            "http://127.0.0.1:" + regional.actualPort() + "/v2/images/app/manifests/1").end();
      } else if ("Bearer ecr-token".equals(req.getHeader("Authorization"))) {
        req.response().end("from-registry");
      } else {
        // public.ecr.aws: two schemes in one header, unquoted values, a scope that is no repository.
        req.response().setStatusCode(401).putHeader("WWW-Authenticate",
            "Basic realm=\"registry\", Bearer realm=\"" + realm + "\",service=public.ecr.aws,scope=aws").end();
      }
    }).listen(0, "127.0.0.1"));
  }

  private void record(String server, HttpServerRequest req) {
    seen.add(server + " " + req.path() + (req.query() == null ? "" : "?" + req.query()) + " "
        + req.getHeader("Authorization"));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void severalSchemesUnquotedNonRepositoryScope_bearerAnsweredWithTheChallengesScope() throws Exception {
    Upstream upstream = upstream(() -> Optional.of("Basic c2VjcmV0OnBhc3M="));

    assertEquals("from-registry", body(upstream, "manifests/1"));

    assertTrue(seen.contains("registry /token?service=public.ecr.aws&scope=aws Basic c2VjcmV0OnBhc3M="), seen::toString);
    // The stored name's registry prefix never reaches the upstream.
    assertEquals("registry /v2/team/app/manifests/1 Bearer ecr-token", seen.get(seen.size() - 1));
  }

  @Test
  void redirectTarget_ownChallenge_answeredFromItsRealmWithoutOurCredentials() throws Exception {
    Upstream upstream = upstream(() -> Optional.of("Basic c2VjcmV0OnBhc3M="));

    assertEquals("from-regional", body(upstream, "manifests/moved"));

    List<String> regionalSeen = seen.stream().filter(s -> s.startsWith("regional")).toList();
    assertEquals(List.of(
        "regional /v2/images/app/manifests/1 null",
        "regional /token?service=regional&scope=repository%3Aimages%2Fapp%3Apull null",
        "regional /v2/images/app/manifests/1 Bearer regional-token"), regionalSeen);
  }

  @Test
  void redirectTarget_asksForBasic_isRefusedNamingTheHost_credentialsNeverSent() throws Exception {
    await(regional.close());
    regional = await(vertx.createHttpServer().requestHandler(req -> {
      record("regional", req);
      req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"regional\"").end();
    }).listen(0, "127.0.0.1"));
    Upstream upstream = upstream(() -> Optional.of("Basic c2VjcmV0OnBhc3M="));

    Throwable failure = fail(upstream, "manifests/moved");

    assertTrue(failure.getMessage().contains("redirected to"), failure.getMessage());
    assertTrue(seen.stream().filter(s -> s.startsWith("regional")).allMatch(s -> s.endsWith(" null")), seen::toString);
  }

  private Upstream upstream(Supplier<Optional<String>> basic) {
    URI url = URI.create("http://127.0.0.1:" + registry.actualPort());
    return new Upstream(vertx, new UpstreamTarget("public.ecr.aws", url, "public.ecr.aws/", basic),
        TestCacheConfig.defaults(), new CacheMetrics(new SimpleMeterRegistry()).upstream("public.ecr.aws"),
        Clock.systemUTC());
  }

  private String body(Upstream upstream, String path) throws Exception {
    return await(onContext(() -> upstream.send(HttpMethod.GET, STORED, path, MultiMap.caseInsensitiveMultiMap())
        .compose(resp -> {
          resp.resume();
          return resp.body();
        }).map(Object::toString)));
  }

  private Throwable fail(Upstream upstream, String path) throws Exception {
    Future<?> f = onContext(() -> upstream.send(HttpMethod.GET, STORED, path, MultiMap.caseInsensitiveMultiMap()));
    try {
      await(f);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("succeeded");
  }

  private <T> Future<T> onContext(Supplier<Future<T>> call) {
    return Future.future(done -> vertx.runOnContext(v -> call.get().onComplete(done)));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
