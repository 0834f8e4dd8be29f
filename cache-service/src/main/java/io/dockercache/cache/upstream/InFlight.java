package io.dockercache.cache.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Shares one running operation per key: callers that ask while it runs get its result, so N
 * concurrent requests for the same token, tag or manifest cost one upstream call. Each caller's
 * callbacks run on its own Vert.x context (its request's event loop), not the starter's.
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
    return onCurrentContext(future);
  }

  /** {@code future}, completing on the calling thread's Vert.x context when there is one. */
  public static <T> Future<T> onCurrentContext(Future<T> future) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return future;
    }
    Promise<T> here = Promise.promise();
    future.onComplete(result -> context.runOnContext(v -> here.handle(result)));
    return here.future();
  }
}
