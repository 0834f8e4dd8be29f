package io.dockercache.distributor.node;

/** What one runtime's configuration step did: ok or failed, whether it changed the node, and why. */
public record StepResult(String runtime, boolean ok, boolean changed, String message) {

  public static StepResult applied(String runtime, boolean changed, String message) {
    return new StepResult(runtime, true, changed, message);
  }

  public static StepResult failed(String runtime, String message) {
    return new StepResult(runtime, false, false, message);
  }

  @Override
  public String toString() {
    return runtime + ": " + message;
  }
}
