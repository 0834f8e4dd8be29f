package io.dockercache.cache.health;

import io.dockercache.cache.storage.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while storage serves reads and writes. The upstream is deliberately not checked: a cache
 * whose upstream is down still serves everything it holds.
 */
@Readiness
@ApplicationScoped
public class StorageReadiness implements HealthCheck {

  private final Storage storage;

  @Inject
  public StorageReadiness(Storage storage) {
    this.storage = storage;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      storage.check();
      return HealthCheckResponse.up("storage");
    } catch (Exception e) {
      return HealthCheckResponse.named("storage").down().withData("error", e.getMessage()).build();
    }
  }
}
