package io.dockercache.cache.upstream;

import io.dockercache.common.AuthChallenge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Docker Hub's token flow (distribution's "token authentication" spec): a 401 with a Bearer
 * challenge names a realm, service and scope; the realm issues a token for that scope. Tokens are
 * cached per scope until shortly before they expire (in a bounded {@link TokenCache}), and
 * concurrent requests for one scope share a single token request. A token exchange ends within
 * the connect timeout plus the idle timeout, whatever the realm does: a realm that trickles its
 * answer a byte at a time never trips the idle timeout, and every request of that scope waits on it.
 */
final class BearerTokens {

  /** Docker's spec: a token without {@code expires_in} lives 60 seconds. */
  private static final long DEFAULT_LIFETIME_SECONDS = 60;
  /** Refresh a little early so a token never expires on its way to the upstream. */
  private static final long SAFETY_SECONDS = 10;
  private static final int MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
  /** Ask again at least daily, whatever the realm says (and never overflow an Instant). */
  private static final long MAX_LIFETIME_SECONDS = 24 * 60 * 60;

  /** A token and how long it may be used. */
  private record Token(String value, Duration usable) {}

  private final Vertx vertx;
  private final HttpClient client;
  private final RealmPolicy realms;
  private final Supplier<Optional<String>> basicCredentials;
  private final long connectTimeoutMillis;
  private final long idleTimeoutMillis;
  private final TokenCache cache;
  private final InFlight<String, Token> fetching = new InFlight<>();

  BearerTokens(Vertx vertx, HttpClient client, RealmPolicy realms, Supplier<Optional<String>> basicCredentials,
      long connectTimeoutMillis, long idleTimeoutMillis, TokenCache cache) {
    this.vertx = vertx;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.client = client;
    this.realms = realms;
    this.basicCredentials = basicCredentials;
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.cache = cache;
  }

  /** A still-valid token for a scope, if one was issued before. */
  Optional<String> cached(String scope) {
    return cache.get(scope);
  }

  /**
   * A token answering {@code challenge}. {@code rejected} is the token the upstream just refused (or
   * null): a cached token equal to it is not reused.
   */
  Future<String> answer(AuthChallenge challenge, String rejected) {
    String scope = challenge.scope() == null ? "" : challenge.scope();
    Optional<String> cached = cached(scope);
    if (cached.isPresent() && !cached.get().equals(rejected)) {
      return Future.succeededFuture(cached.get());
    }
    return fetching.join(scope, () -> fetch(challenge, scope)).map(Token::value);
  }

  private Future<Token> fetch(AuthChallenge challenge, String scope) {
    if (challenge.realm() == null) {
      return Future.failedFuture(new UpstreamException("Bearer challenge without a realm: " + challenge));
    }
    URI realm;
    try {
      realm = realms.check(challenge.realm());
    } catch (UpstreamException e) {
      return Future.failedFuture(e);
    }
    StringBuilder url = new StringBuilder(realm.toString());
    char sep = realm.getRawQuery() == null ? '?' : '&';
    if (challenge.service() != null) {
      url.append(sep).append("service=").append(encode(challenge.service()));
      sep = '&';
    }
    if (!scope.isEmpty()) {
      url.append(sep).append("scope=").append(encode(scope));
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(url.toString())
        // Bounds the wait for a pooled connection as well as the TCP connect.
        .setConnectTimeout(connectTimeoutMillis)
        .setIdleTimeout(idleTimeoutMillis);
    basicCredentials.get().ifPresent(b -> options.putHeader(HttpHeaders.AUTHORIZATION, b));
    return withinDeadline(options, realm).map(token -> {
      cache.put(scope, token.value(), token.usable());
      return token;
    });
  }

  /** The exchange, failed (and its connection reset) if it has not ended by the deadline. */
  private Future<Token> withinDeadline(RequestOptions options, URI realm) {
    long deadlineMillis = connectTimeoutMillis + idleTimeoutMillis;
    Promise<Token> result = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long timer = vertx.setTimer(deadlineMillis, id -> {
      UpstreamException late = new UpstreamException("token request to " + realm.getHost()
          + " did not complete within " + deadlineMillis + " ms");
      if (result.tryFail(late)) {
        synchronized (sent) {
          if (sent[0] != null) {
            sent[0].reset(0, late);
          }
        }
      }
    });
    client.request(options)
        .compose(req -> {
          synchronized (sent) {
            sent[0] = req;
          }
          if (result.future().isComplete()) {
            req.reset(0); // the deadline passed while waiting for a connection
            return Future.failedFuture(result.future().cause());
          }
          return req.send();
        })
        .compose(resp -> readToken(resp, realm))
        .onComplete(done -> {
          vertx.cancelTimer(timer);
          if (done.succeeded()) {
            result.tryComplete(done.result());
          } else {
            result.tryFail(done.cause());
          }
        });
    return result.future();
  }

  private Future<Token> readToken(HttpClientResponse resp, URI realm) {
    String what = "token response from " + realm.getHost();
    if (resp.statusCode() != 200) {
      return resp.end().transform(done -> Future.failedFuture(new UpstreamException(
          "token request to " + realm.getHost() + " answered " + resp.statusCode())));
    }
    return BoundedBody.read(resp, MAX_TOKEN_RESPONSE_BYTES, what).map(body -> {
      String value;
      long lifetime;
      try {
        JsonObject json = body.toJsonObject();
        value = json.getString("token", json.getString("access_token"));
        lifetime = json.getLong("expires_in", DEFAULT_LIFETIME_SECONDS);
      } catch (RuntimeException e) {
        // Not JSON, or a field of the wrong type: the realm's fault, not ours.
        throw new UpstreamException(what + " is not a token document: " + e.getMessage(), e);
      }
      if (value == null || value.isEmpty()) {
        throw new UpstreamException(what + " holds no token");
      }
      long usable = Math.min(MAX_LIFETIME_SECONDS, lifetime) - SAFETY_SECONDS;
      return new Token(value, Duration.ofSeconds(Math.max(1, usable)));
    });
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
