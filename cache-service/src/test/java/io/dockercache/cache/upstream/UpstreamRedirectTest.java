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
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redirect chains against a real server on 127.0.0.1. The names {@code registry.test} and
 * {@code cdn.test} resolve to 127.0.0.1 through this Vert.x instance's hosts table, so a name that
 * reaches a loopback address is seen at connect time without any traffic leaving this machine.
 */
class UpstreamRedirectTest {

  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
  private static final String DISABLE_DNS_RESOLVER = "vertx.disableDnsResolver";

  private Vertx vertx;
  private HttpServer server;
  /** Host header and path of every request the server saw. */
  private final List<String> seen = new CopyOnWriteArrayList<>();
  /** Where the server's redirects point: scheme, host and port. */
  private volatile String redirectBase;

  @BeforeEach
  void start() throws Exception {
    vertx = vertxResolvingTestNames();
    // GET /v2/library/alpine/hops/N redirects to .../hops/N-1; .../hops/0 answers 200 "arrived".
    server = await(vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.getHeader("Host") + req.path());
      int left = Integer.parseInt(req.path().substring(req.path().lastIndexOf('/') + 1));
      if (left == 0) {
        req.response().end("arrived");
      } else {
        req.response().setStatusCode(302)
            .putHeader("Location", redirectBase + "/v2/library/alpine/hops/" + (left - 1)).end();
      }
    }).listen(0, "127.0.0.1"));
  }

  /**
   * Vert.x's own resolver with a hosts table, and a DNS server on loopback for anything else, so
   * no query leaves this machine. Quarkus turns that resolver off for the whole JVM (a
   * {@code @QuarkusTest} that ran before would leave it off): turn it on for this instance only.
   */
  private static Vertx vertxResolvingTestNames() {
    String disabled = System.getProperty(DISABLE_DNS_RESOLVER);
    System.setProperty(DISABLE_DNS_RESOLVER, "false");
    try {
      return Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
          .setHostsValue(Buffer.buffer("127.0.0.1 registry.test cdn.test\n"))
          .setServers(List.of("127.0.0.1:53"))));
    } finally {
      if (disabled == null) {
        System.clearProperty(DISABLE_DNS_RESOLVER);
      } else {
        System.setProperty(DISABLE_DNS_RESOLVER, disabled);
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void send_fiveRedirects_followsThemAll() throws Exception {
    Upstream upstream = upstream("http://127.0.0.1:" + server.actualPort());
    redirectBase = "http://127.0.0.1:" + server.actualPort();

    assertEquals("arrived", body(upstream, "hops/5"));
    assertEquals(6, seen.size(), seen.toString());
  }

  @Test
  void send_sixRedirects_refusedWithoutFollowingTheSixth() {
    Upstream upstream = upstream("http://127.0.0.1:" + server.actualPort());
    redirectBase = "http://127.0.0.1:" + server.actualPort();

    UpstreamException e = refusal(upstream, "hops/6");

    assertTrue(e.getMessage().contains("more than 5 redirects"), e.getMessage());
    assertEquals(6, seen.size(), seen.toString());
  }

  @Test
  void send_redirectToNameResolvingToLoopback_refusedAtConnect() {
    Upstream upstream = upstream("http://registry.test:" + server.actualPort());
    redirectBase = "http://cdn.test:" + server.actualPort();

    UpstreamException e = refusal(upstream, "hops/1");

    assertTrue(e.getMessage().contains("loopback address"), e.getMessage());
    assertEquals(List.of("registry.test:" + server.actualPort() + "/v2/library/alpine/hops/1"), seen);
  }

  @Test
  void send_redirectToTheUpstreamsOwnHost_followed() throws Exception {
    Upstream upstream = upstream("http://registry.test:" + server.actualPort());
    redirectBase = "http://registry.test:" + server.actualPort();

    assertEquals("arrived", body(upstream, "hops/2"));
  }

  private Upstream upstream(String url) {
    return new Upstream(vertx, URI.create(url), TestCacheConfig.defaults(),
        new CacheMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
  }

  private String body(Upstream upstream, String path) throws Exception {
    return await(onContext(() -> upstream.send(HttpMethod.GET, REPO, path, MultiMap.caseInsensitiveMultiMap()))
        .compose(resp -> {
          // The answer comes paused: ask for the body before letting it flow.
          Future<Buffer> body = resp.body();
          resp.resume();
          return body;
        })).toString();
  }

  private UpstreamException refusal(Upstream upstream, String path) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(onContext(
        () -> upstream.send(HttpMethod.GET, REPO, path, MultiMap.caseInsensitiveMultiMap()))));
    return assertInstanceOf(UpstreamException.class, e.getCause());
  }

  /** Starts {@code call} on an event loop, as a request handler would. */
  private <T> Future<T> onContext(Supplier<Future<T>> call) {
    return Future.future(done -> vertx.runOnContext(v -> call.get().onComplete(done)));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
