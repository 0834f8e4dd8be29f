package io.dockercache.cache.lifecycle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.metrics.CacheMetrics.EvictionReason;
import io.dockercache.common.Digest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DoomedTest {

  private static final Digest A = new Digest("sha256", "a".repeat(64));
  private static final Digest B = new Digest("sha256", "b".repeat(64));

  private final AtomicLong clock = new AtomicLong(1000);

  @Test
  void plannedLongEnoughByEveryRun_isDue_pardonedWhenAPlanDropsIt() {
    Doomed doomed = new Doomed(500, clock::get);

    doomed.planned(plan(A, B));
    assertFalse(doomed.due(A), "just planned");
    clock.addAndGet(499);
    doomed.planned(plan(A, B));
    assertFalse(doomed.due(A));
    clock.addAndGet(1);
    doomed.planned(plan(A));
    assertTrue(doomed.due(A), "planned by every run for the whole delay");
    assertFalse(doomed.due(B), "a plan that left it out pardoned it");
    doomed.planned(plan(A, B));
    assertFalse(doomed.due(B), "planned again: the delay starts over");
  }

  @Test
  void noDelay_everythingPlannedIsDue() {
    Doomed doomed = new Doomed(0, clock::get);

    assertTrue(doomed.due(A), "a store of one process removes at once");
  }

  private static EvictionPlan plan(Digest... blobs) {
    return new EvictionPlan(List.of(), List.of(), java.util.Arrays.stream(blobs)
        .map(d -> new EvictionPlan.BlobRemoval(d, 1, EvictionReason.SIZE)).toList());
  }
}
