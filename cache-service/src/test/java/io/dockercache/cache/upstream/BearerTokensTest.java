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

  private BearerTokens tokens(TokenCache cache) {
    URI upstream = URI.create("http://127.0.0.1:" + realm.actualPort());
    return new BearerTokens(vertx.createHttpClient(), new RealmPolicy(upstream), Optional.empty(),
        5_000, 5_000, cache);
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
