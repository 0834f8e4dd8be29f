package io.dockercache.cache.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The byte bound, the second-chance eviction order and removal of {@link ClockCache}. */
class ClockCacheTest {

  private static boolean yes() {
    return true;
  }

  @Test
  void put_overCapacity_evictsOldestUnreadFirst_andStaysWithinTheBound() {
    ClockCache<String, String> cache = new ClockCache<>(300);
    cache.put("a", "A", 100, ClockCacheTest::yes);
    cache.put("b", "B", 100, ClockCacheTest::yes);
    cache.put("c", "C", 100, ClockCacheTest::yes);

    cache.put("d", "D", 100, ClockCacheTest::yes);

    assertNull(cache.get("a"), "the oldest entry, never read, goes first");
    assertEquals("B", cache.get("b"));
    assertEquals("D", cache.get("d"));
    assertEquals(300, cache.weight());
    assertEquals(1, cache.evictions());
  }

  @Test
  void put_overCapacity_anEntryReadSinceTheHandPassedGetsASecondChance() {
    ClockCache<String, String> cache = new ClockCache<>(300);
    cache.put("a", "A", 100, ClockCacheTest::yes);
    cache.put("b", "B", 100, ClockCacheTest::yes);
    cache.put("c", "C", 100, ClockCacheTest::yes);
    cache.get("a");

    cache.put("d", "D", 100, ClockCacheTest::yes);

    assertEquals("A", cache.get("a"), "read: kept");
    assertNull(cache.get("b"), "the oldest entry not read since it was put goes");
    assertEquals("C", cache.get("c"));
  }

  @Test
  void put_everyEntryRead_stillMakesRoom() {
    ClockCache<String, String> cache = new ClockCache<>(200);
    cache.put("a", "A", 100, ClockCacheTest::yes);
    cache.put("b", "B", 100, ClockCacheTest::yes);
    cache.get("a");
    cache.get("b");

    cache.put("c", "C", 150, ClockCacheTest::yes);

    assertTrue(cache.weight() <= 200, "weight " + cache.weight());
    assertEquals("C", cache.get("c"));
    assertNull(cache.get("a"));
    assertNull(cache.get("b"));
  }

  @Test
  void put_largerThanTheWholeCapacity_isRefusedAndEvictsNothing() {
    ClockCache<String, String> cache = new ClockCache<>(100);
    cache.put("a", "A", 60, ClockCacheTest::yes);

    assertFalse(cache.put("huge", "H", 101, ClockCacheTest::yes));

    assertEquals("A", cache.get("a"));
    assertNull(cache.get("huge"));
  }

  @Test
  void put_sameKeyAgain_replacesAndCountsTheNewWeightOnly() {
    ClockCache<String, String> cache = new ClockCache<>(1000);
    cache.put("a", "A1", 100, ClockCacheTest::yes);

    cache.put("a", "A2", 250, ClockCacheTest::yes);

    assertEquals("A2", cache.get("a"));
    assertEquals(250, cache.weight());
    assertEquals(1, cache.size());
  }

  @Test
  void put_notAdmitted_leavesTheCacheAsItWas() {
    ClockCache<String, String> cache = new ClockCache<>(1000);
    cache.put("a", "A", 100, ClockCacheTest::yes);

    assertFalse(cache.put("a", "other", 100, () -> false));
    assertFalse(cache.put("b", "B", 100, () -> false));

    assertEquals("A", cache.get("a"));
    assertNull(cache.get("b"));
    assertEquals(100, cache.weight());
  }

  @Test
  void removeIf_dropsTheNamedEntriesAndTheirWeight_andTheClockSkipsThem() {
    ClockCache<String, String> cache = new ClockCache<>(300);
    cache.put("a1", "x", 100, ClockCacheTest::yes);
    cache.put("b", "y", 100, ClockCacheTest::yes);
    cache.put("a2", "x", 100, ClockCacheTest::yes);

    assertEquals(2, cache.removeIf((k, v) -> v.equals("x")));
    cache.remove("nothing");

    assertEquals(100, cache.weight());
    assertNull(cache.get("a1"));
    assertNull(cache.get("a2"));
    cache.put("c", "z", 100, ClockCacheTest::yes);
    cache.put("d", "z", 100, ClockCacheTest::yes);
    assertEquals(300, cache.weight());
    assertEquals(0, cache.evictions(), "room freed by the removal, nothing evicted");
    assertEquals("y", cache.get("b"));
  }

  @Test
  void manyReplacements_withinCapacity_weightStaysExact() {
    ClockCache<Integer, Integer> cache = new ClockCache<>(10_000);
    for (int i = 0; i < 100_000; i++) {
      cache.put(i % 10, i, 100, ClockCacheTest::yes);
    }
    assertEquals(1_000, cache.weight());
    assertEquals(10, cache.size());
  }

  @Test
  void concurrentReadsAndPuts_neverExceedTheBound() throws InterruptedException {
    ClockCache<Integer, Integer> cache = new ClockCache<>(50 * 100);
    AtomicBoolean over = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      threads.add(new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          int key = (i * 31 + seed * 7) % 200;
          if (cache.get(key) == null) {
            cache.put(key, key, 100, ClockCacheTest::yes);
          }
          if (cache.weight() > 50 * 100) {
            over.set(true);
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertFalse(over.get(), "the weight went over the capacity");
    assertEquals(cache.size() * 100L, cache.weight(), "weight and entries agree");
  }
}
