package io.dockercache.cache.health;

import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the registry port listens. The management interface (where this check is
 * served) may start a moment earlier, and a readiness probe must not send traffic before then.
 */
@Readiness
@ApplicationScoped
public class RegistryPortReadiness implements HealthCheck {

  private volatile boolean listening;

  void onHttp(@ObservesAsync HttpServerStart started) {
    listening = true;
  }

  void onHttps(@ObservesAsync HttpsServerStart started) {
    listening = true;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("registry-port").status(listening).build();
  }
}
