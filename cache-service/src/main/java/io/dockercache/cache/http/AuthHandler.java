package io.dockercache.cache.http;

import io.dockercache.cache.auth.Authenticator;
import io.dockercache.cache.auth.BasicCredentials;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Lets a registry request through when auth is off, the client is in an anonymous network, or
 * its Basic credentials check out; otherwise answers 401 {@code UNAUTHORIZED} with a Basic
 * challenge. Health and metrics live on the management port and never pass through here.
 */
final class AuthHandler implements Handler<RoutingContext> {

  private final Authenticator authenticator;

  AuthHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!authenticator.enabled()
        || authenticator.anonymousAllowed(request.remoteAddress().hostAddress())) {
      ctx.next();
      return;
    }
    boolean head = request.method() == HttpMethod.HEAD;
    Optional<BasicCredentials> credentials =
        BasicCredentials.parse(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (credentials.isEmpty()) {
      ErrorResponder.send(request.response(), head,
          new RegistryException(ErrorCode.UNAUTHORIZED, "authentication required"));
      return;
    }
    authenticator.verify(credentials.get()).onComplete(result -> {
      if (result.failed()) {
        ErrorResponder.send(request.response(), head, result.cause());
      } else if (result.result()) {
        ctx.next();
      } else {
        ErrorResponder.send(request.response(), head,
            new RegistryException(ErrorCode.UNAUTHORIZED, "wrong user name or password"));
      }
    });
  }
}
