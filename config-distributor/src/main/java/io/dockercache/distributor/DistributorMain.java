package io.dockercache.distributor;

import io.dockercache.distributor.reconcile.Outcome;
import io.dockercache.distributor.reconcile.ReconcileLoop;
import io.dockercache.distributor.reconcile.Reconciler;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Modes: no argument runs until stopped; {@code --once} reconciles and exits 0 (applied) or 1;
 * {@code --cleanup} removes what was added and exits 0 or 1.
 */
@QuarkusMain
public class DistributorMain implements QuarkusApplication {

  static final String USAGE = "usage: config-distributor [--once | --cleanup]";

  @Inject
  Reconciler reconciler;

  @Inject
  ReconcileLoop loop;

  @Override
  public int run(String... args) {
    List<String> arguments = List.of(args);
    if (arguments.size() > 1 || (arguments.size() == 1
        && !arguments.get(0).equals("--once") && !arguments.get(0).equals("--cleanup"))) {
      System.err.println(USAGE);
      return 2;
    }
    if (arguments.contains("--once")) {
      return exitCode(reconciler.reconcile());
    }
    if (arguments.contains("--cleanup")) {
      return exitCode(reconciler.cleanup());
    }
    loop.start();
    Quarkus.waitForExit();
    return 0;
  }

  private static int exitCode(Outcome outcome) {
    return outcome.ok() ? 0 : 1;
  }
}
