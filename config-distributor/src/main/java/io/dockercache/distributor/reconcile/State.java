package io.dockercache.distributor.reconcile;

/** The node's state after a reconcile, as written to the {@code docker-cache/state} annotation. */
public enum State {
  /** Our mirror is configured (and, where dockerd runs, active). */
  APPLIED("applied", "MirrorApplied"),
  /** The cache is disabled or cleanup ran: nothing of ours is left. */
  REMOVED("removed", "MirrorRemoved"),
  /** Neither docker nor containerd was found under the node root. */
  NO_RUNTIME("no-runtime", "NoContainerRuntime"),
  /** A step failed; the message says which and why. */
  FAILED("failed", "MirrorFailed");

  private final String label;
  private final String reason;

  State(String label, String reason) {
    this.label = label;
    this.reason = reason;
  }

  public String label() {
    return label;
  }

  /** The Event reason. */
  public String reason() {
    return reason;
  }
}
