package io.dockercache.distributor.reconcile;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready = the latest reconcile applied (or removed) what the configuration asks. */
@Readiness
@ApplicationScoped
public class AppliedReadiness implements HealthCheck {

  private final Reconciler reconciler;

  AppliedReadiness(Reconciler reconciler) {
    this.reconciler = reconciler;
  }

  @Override
  public HealthCheckResponse call() {
    return reconciler.last()
        .map(o -> HealthCheckResponse.named("node-configuration").status(o.ok())
            .withData("state", o.state().label()).withData("message", o.message()).build())
        .orElseGet(() -> HealthCheckResponse.named("node-configuration").down()
            .withData("state", "not reconciled yet").build());
  }
}
