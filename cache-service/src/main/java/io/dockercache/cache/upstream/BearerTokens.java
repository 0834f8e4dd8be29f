package io.dockercache.cache.upstream;

import io.dockercache.common.AuthChallenge;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Docker Hub's token flow (distribution's "token authentication" spec): a 401 with a Bearer
 * challenge names a realm, service and scope; the realm issues a token for that scope. Tokens are
 * cached per scope until shortly before they expire, and concurrent requests for one scope share a
 * single token request.
 */
final class BearerTokens {

  /** Docker's spec: a token without {@code expires_in} lives 60 seconds. */
  private static final long DEFAULT_LIFETIME_SECONDS = 60;
  /** Refresh a little early so a token never expires on its way to the upstream. */
  private static final long SAFETY_SECONDS = 10;
  private static final int MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

  private record Token(String value, Instant expires) {}

  private final HttpClient client;
  private final RealmPolicy realms;
  private final Optional<String> basicCredentials;
  private final long idleTimeoutMillis;
  private final Clock clock;
  private final ConcurrentHashMap<String, Token> byScope = new ConcurrentHashMap<>();
  private final InFlight<String, Token> fetching = new InFlight<>();

  BearerTokens(HttpClient client, RealmPolicy realms, Optional<String> basicCredentials,
      long idleTimeoutMillis, Clock clock) {
    this.client = client;
    this.realms = realms;
    this.basicCredentials = basicCredentials;
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.clock = clock;
  }

  /** A still-valid token for a scope, if one was issued before. */
  Optional<String> cached(String scope) {
    Token t = byScope.get(scope);
    return t != null && clock.instant().isBefore(t.expires()) ? Optional.of(t.value()) : Optional.empty();
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
        .setIdleTimeout(idleTimeoutMillis);
    basicCredentials.ifPresent(b -> options.putHeader(HttpHeaders.AUTHORIZATION, b));
    return client.request(options)
        .compose(req -> req.send())
        .compose(resp -> readToken(resp, realm))
        .map(token -> {
          byScope.put(scope, token);
          return token;
        });
  }

  private Future<Token> readToken(HttpClientResponse resp, URI realm) {
    if (resp.statusCode() != 200) {
      return resp.end().transform(done -> Future.failedFuture(new UpstreamException(
          "token request to " + realm.getHost() + " answered " + resp.statusCode())));
    }
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && Long.parseLong(length) > MAX_TOKEN_RESPONSE_BYTES) {
      return Future.failedFuture(new UpstreamException("token response from " + realm.getHost() + " is too large"));
    }
    return resp.body().map(body -> {
      JsonObject json = body.toJsonObject();
      String value = json.getString("token", json.getString("access_token"));
      if (value == null || value.isEmpty()) {
        throw new UpstreamException("token response from " + realm.getHost() + " holds no token");
      }
      long lifetime = json.getLong("expires_in", DEFAULT_LIFETIME_SECONDS);
      long usable = Math.max(1, lifetime - SAFETY_SECONDS);
      return new Token(value, clock.instant().plusSeconds(usable));
    });
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
