package io.dockercache.cache.upstream;

import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Shares one running operation per key: callers that ask while it runs get the same future, so N
 * concurrent requests for the same token, tag or manifest cost one upstream call.
 */
public final class InFlight<K, V> {

  private final ConcurrentHashMap<K, Future<V>> running = new ConcurrentHashMap<>();

  /** Joins the operation running for {@code key}, or starts one with {@code start}. */
  public Future<V> join(K key, Supplier<Future<V>> start) {
    boolean[] started = {false};
    Future<V> future = running.computeIfAbsent(key, k -> {
      started[0] = true;
      return Future.future(p -> start.get().onComplete(p));
    });
    if (started[0]) {
      future.onComplete(done -> running.remove(key, future));
    }
    return future;
  }
}
