package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.common.AuthChallenge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token requests to a realm on 127.0.0.1 that answers what each test sets. */
class BearerTokensTest {

  private Vertx vertx;
  private HttpServer realm;
  private volatile Consumer<HttpServerResponse> answer;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    realm = await(vertx.createHttpServer()
        .requestHandler(req -> answer.accept(req.response()))
        .listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void answer_chunkedBodyPastTheBound_failsWithoutReadingItAll() {
    // No Content-Length: only counting the bytes as they come bounds this body.
    answer = resp -> {
      resp.setChunked(true);
      resp.write("{\"token\":\"");
      for (int i = 0; i < 100; i++) {
        resp.write("x".repeat(1024));
      }
      resp.end("\"}");
    };

    UpstreamException e = failure(tokens(new TokenCache(10, Clock.systemUTC())), "repository:a:pull");

    assertTrue(e.getMessage().contains("larger than 65536 bytes"), e.getMessage());
  }

  @Test
  void answer_bodyThatIsNotJson_failsAsAnUpstreamError() {
    answer = resp -> resp.end("<html>maintenance</html>");

    UpstreamException e = failure(tokens(new TokenCache(10, Clock.systemUTC())), "repository:a:pull");

    assertTrue(e.getMessage().contains("is not a token document"), e.getMessage());
  }

  @Test
  void answer_moreScopesThanTheBound_keepsOnlyTheMostRecent() throws Exception {
    answer = resp -> resp.end("{\"token\":\"t\",\"expires_in\":300}");
    BearerTokens tokens = tokens(new TokenCache(2, Clock.systemUTC()));

    for (String scope : new String[] {"repository:a:pull", "repository:b:pull", "repository:c:pull"}) {
      assertEquals("t", await(onContext(() -> tokens.answer(challenge(scope), null))));
    }

    assertEquals(Optional.empty(), tokens.cached("repository:a:pull"));
    assertEquals(Optional.of("t"), tokens.cached("repository:c:pull"));
  }

  @Test
  void answer_realmTricklingItsAnswer_failsAtTheDeadline_notWhenTheBytesStop() {
    // A byte every 100 ms: the idle timeout (500 ms) never fires, only the deadline (1 s) ends it.
    answer = resp -> {
      resp.setChunked(true);
      resp.write("{\"token\":\"");
      vertx.setPeriodic(100, id -> {
        if (resp.closed()) {
          vertx.cancelTimer(id);
        } else {
          resp.write("x");
        }
      });
    };
    long started = System.nanoTime();

    UpstreamException e = failure(tokens(new TokenCache(10, Clock.systemUTC()), 500, 500), "repository:a:pull");

    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(e.getMessage().contains("did not complete within 1000 ms"), e.getMessage());
    assertTrue(tookMillis < 5_000, "took " + tookMillis + " ms");
  }

  @Test
  void answer_withoutExpiresIn_keptForTheSpecDefaultLessTheMargin() throws Exception {
    answer = resp -> resp.end("{\"token\":\"t\"}");
    SettableClock clock = new SettableClock();
    BearerTokens tokens = tokens(new TokenCache(10, clock));

    assertEquals("t", await(onContext(() -> tokens.answer(challenge("repository:a:pull"), null))));

    clock.advance(Duration.ofSeconds(49));
    assertEquals(Optional.of("t"), tokens.cached("repository:a:pull"), "60 s less the 10 s margin");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Optional.empty(), tokens.cached("repository:a:pull"));
  }

  @Test
  void answer_expiresInBelowTheMargin_keptOneSecond_notForever() throws Exception {
    answer = resp -> resp.end("{\"token\":\"t\",\"expires_in\":1}");
    SettableClock clock = new SettableClock();
    BearerTokens tokens = tokens(new TokenCache(10, clock));

    assertEquals("t", await(onContext(() -> tokens.answer(challenge("repository:a:pull"), null))));

    assertEquals(Optional.of("t"), tokens.cached("repository:a:pull"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Optional.empty(), tokens.cached("repository:a:pull"));
  }

  @Test
  void answer_rejectedTokenStillCached_asksTheRealmForANewOne() throws Exception {
    int[] issued = {0};
    answer = resp -> resp.end("{\"token\":\"t" + (++issued[0]) + "\",\"expires_in\":300}");
    BearerTokens tokens = tokens(new TokenCache(10, Clock.systemUTC()));
    assertEquals("t1", await(onContext(() -> tokens.answer(challenge("repository:a:pull"), null))));

    assertEquals("t1", await(onContext(() -> tokens.answer(challenge("repository:a:pull"), "other"))));
    assertEquals("t2", await(onContext(() -> tokens.answer(challenge("repository:a:pull"), "t1"))));
    assertEquals(2, issued[0]);
  }

  /** A clock the test moves. */
  private static final class SettableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private BearerTokens tokens(TokenCache cache) {
    return tokens(cache, 5_000, 5_000);
  }

  private BearerTokens tokens(TokenCache cache, long connectTimeoutMillis, long idleTimeoutMillis) {
    URI upstream = URI.create("http://127.0.0.1:" + realm.actualPort());
    return new BearerTokens(vertx, vertx.createHttpClient(), new RealmPolicy(upstream), Optional::empty,
        connectTimeoutMillis, idleTimeoutMillis, cache);
  }

  private AuthChallenge challenge(String scope) {
    return new AuthChallenge("Bearer", Map.of(
        "realm", "http://127.0.0.1:" + realm.actualPort() + "/token", "scope", scope));
  }

  private UpstreamException failure(BearerTokens tokens, String scope) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> await(onContext(() -> tokens.answer(challenge(scope), null))));
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
