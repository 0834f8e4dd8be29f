package io.dockercache.cache.memory;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

/**
 * A map bounded by the sum of its entries' weights, evicting with the CLOCK (second chance)
 * approximation of LRU: a read only sets its entry's "referenced" bit, so reads take no lock and
 * write nothing shared when the bit is already set; the hand passes over a referenced entry
 * once (clearing the bit) and evicts the first one not read since it last passed. Writes (fills,
 * invalidations) are serialised by one lock per cache: they are rare beside reads.
 */
final class ClockCache<K, V> {

  private static final class Node<K, V> {
    final K key;
    final V value;
    final long weight;
    volatile boolean referenced;

    Node(K key, V value, long weight) {
      this.key = key;
      this.value = value;
      this.weight = weight;
    }
  }

  private final long capacity;
  private final ConcurrentHashMap<K, Node<K, V>> entries = new ConcurrentHashMap<>();
  /** The clock, oldest first; holds nodes replaced or removed since, skipped when reached. */
  private final ArrayDeque<Node<K, V>> hand = new ArrayDeque<>();
  private final ReentrantLock writes = new ReentrantLock();
  private volatile long weight;
  private long evictions;

  ClockCache(long capacity) {
    this.capacity = capacity;
  }

  /** The value for {@code key}, or null; marks it as recently used. */
  V get(K key) {
    Node<K, V> node = entries.get(key);
    if (node == null) {
      return null;
    }
    if (!node.referenced) {
      node.referenced = true;
    }
    return node.value;
  }

  /**
   * Puts {@code value} (replacing any value of {@code key}) when {@code admit}, asked under the
   * write lock, still says so and it fits at all; evicts until the cache is within its capacity.
   * Returns whether it was put.
   */
  boolean put(K key, V value, long valueWeight, BooleanSupplier admit) {
    if (valueWeight > capacity) {
      return false;
    }
    writes.lock();
    try {
      if (!admit.getAsBoolean()) {
        return false;
      }
      Node<K, V> old = entries.remove(key);
      long w = weight - (old == null ? 0 : old.weight);
      // Room first, then the new entry behind the hand: it is looked at last, not evicted at once.
      w = evictOver(w, capacity - valueWeight);
      Node<K, V> node = new Node<>(key, value, valueWeight);
      entries.put(key, node);
      hand.addLast(node);
      weight = w + valueWeight;
      compact();
      return true;
    } finally {
      writes.unlock();
    }
  }

  /** Removes every entry {@code doomed} names; returns how many went. */
  int removeIf(BiPredicate<K, V> doomed) {
    writes.lock();
    try {
      int removed = 0;
      long w = weight;
      for (Node<K, V> node : entries.values()) {
        if (doomed.test(node.key, node.value) && entries.remove(node.key, node)) {
          w -= node.weight;
          removed++;
        }
      }
      weight = w;
      compact();
      return removed;
    } finally {
      writes.unlock();
    }
  }

  /** Removes the entry of {@code key}, if any. */
  void remove(K key) {
    if (entries.containsKey(key)) {
      removeIf((k, v) -> k.equals(key));
    }
  }

  /** The sum of the weights held. */
  long weight() {
    return weight;
  }

  int size() {
    return entries.size();
  }

  long capacity() {
    return capacity;
  }

  /** Entries evicted to make room since the cache was made. */
  long evictions() {
    writes.lock();
    try {
      return evictions;
    } finally {
      writes.unlock();
    }
  }

  /** Under the lock: evicts until {@code w} is at most {@code limit}; returns the weight left. */
  private long evictOver(long w, long limit) {
    while (w > limit) {
      Node<K, V> node = hand.pollFirst();
      if (node == null) {
        break; // cannot happen while the weights add up; never loop on it
      }
      if (entries.get(node.key) != node) {
        continue; // replaced or removed since it was queued
      }
      if (node.referenced) {
        node.referenced = false;
        hand.addLast(node);
        continue;
      }
      entries.remove(node.key, node);
      w -= node.weight;
      evictions++;
    }
    return w;
  }

  /** Under the lock: drops queued nodes no longer in the map, so the clock stays their size. */
  private void compact() {
    if (hand.size() > 2 * entries.size() + 16) {
      hand.removeIf(node -> entries.get(node.key) != node);
    }
  }
}
