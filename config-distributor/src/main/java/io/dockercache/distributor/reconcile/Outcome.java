package io.dockercache.distributor.reconcile;

import java.util.Optional;

/**
 * What one reconcile did on this node: its state, the mirrors (their URLs in order, joined by
 * commas), whether anything changed, and why.
 */
public record Outcome(State state, Optional<String> mirror, boolean changed, String message) {

  /** Applied or removed as asked: {@code --once} and {@code --cleanup} exit 0. */
  public boolean ok() {
    return state == State.APPLIED || state == State.REMOVED;
  }

  @Override
  public String toString() {
    return state.label() + mirror.map(m -> " (" + m + ")").orElse("") + ": " + message;
  }
}
