package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class InFlightTest {

  private final InFlight<String, String> inFlight = new InFlight<>();
  private final AtomicInteger starts = new AtomicInteger();

  /** A start that counts itself and completes only when the test completes {@code promise}. */
  private Supplier<Future<String>> startOn(Promise<String> promise) {
    return () -> {
      starts.incrementAndGet();
      return promise.future();
    };
  }

  @Test
  void join_whileRunning_sharesOneStart() {
    Promise<String> upstream = Promise.promise();

    Future<String> first = inFlight.join("k", startOn(upstream));
    Future<String> second = inFlight.join("k", startOn(upstream));

    assertEquals(1, starts.get());
    assertSame(first, second);
    assertFalse(first.isComplete());

    upstream.complete("token");

    assertEquals("token", first.result());
    assertEquals("token", second.result());
  }

  @Test
  void join_fromManyThreadsAtOnce_sharesOneStart() throws Exception {
    Promise<String> upstream = Promise.promise();
    int threads = 8;
    CyclicBarrier together = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Future<String>>> joins = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        joins.add(() -> {
          together.await();
          return inFlight.join("k", startOn(upstream));
        });
      }
      List<Future<String>> joined = new ArrayList<>();
      for (java.util.concurrent.Future<Future<String>> f : pool.invokeAll(joins)) {
        joined.add(f.get());
      }

      assertEquals(1, starts.get());
      upstream.complete("one answer");
      for (Future<String> f : joined) {
        assertEquals("one answer", f.result());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void join_otherKey_startsSeparately() {
    Promise<String> a = Promise.promise();
    Promise<String> b = Promise.promise();

    Future<String> fa = inFlight.join("a", startOn(a));
    Future<String> fb = inFlight.join("b", startOn(b));
    b.complete("b");

    assertEquals(2, starts.get());
    assertNotSame(fa, fb);
    assertFalse(fa.isComplete());
    assertEquals("b", fb.result());
  }

  @Test
  void join_afterSuccess_startsAgain() {
    Promise<String> first = Promise.promise();
    inFlight.join("k", startOn(first));
    first.complete("old");

    Promise<String> second = Promise.promise();
    Future<String> again = inFlight.join("k", startOn(second));

    assertEquals(2, starts.get());
    assertFalse(again.isComplete(), "served the finished result instead of starting again");
    second.complete("new");
    assertEquals("new", again.result());
  }

  @Test
  void join_afterFailure_startsAgain() {
    Promise<String> first = Promise.promise();
    Future<String> failed = inFlight.join("k", startOn(first));
    first.fail(new UpstreamException("down"));

    Promise<String> second = Promise.promise();
    inFlight.join("k", startOn(second));

    assertTrue(failed.failed());
    assertEquals("down", failed.cause().getMessage());
    assertEquals(2, starts.get());
  }

  @Test
  void join_startThrows_failsAndNextJoinStartsAgain() {
    Future<String> failed = inFlight.join("k", () -> {
      starts.incrementAndGet();
      throw new IllegalStateException("boom");
    });

    Promise<String> second = Promise.promise();
    Future<String> again = inFlight.join("k", startOn(second));

    assertTrue(failed.failed());
    assertEquals("boom", failed.cause().getMessage());
    assertEquals(2, starts.get());
    assertFalse(again.isComplete());
  }

  @Test
  void join_startAlreadyComplete_isNotKept() {
    inFlight.join("k", () -> {
      starts.incrementAndGet();
      return Future.succeededFuture("at once");
    });

    Promise<String> second = Promise.promise();
    inFlight.join("k", startOn(second));

    assertEquals(2, starts.get());
  }

  @Test
  void join_fromCompletionCallback_startsAgain() {
    // A caller that retries as soon as the shared call ends must not get the ended one back.
    Promise<String> first = Promise.promise();
    Promise<String> second = Promise.promise();
    List<Future<String>> retried = new ArrayList<>();
    inFlight.join("k", startOn(first))
        .onComplete(done -> retried.add(inFlight.join("k", startOn(second))));

    first.fail(new UpstreamException("token rejected"));

    assertEquals(2, starts.get());
    assertFalse(retried.get(0).isComplete());
  }
}
