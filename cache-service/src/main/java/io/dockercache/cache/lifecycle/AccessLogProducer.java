package io.dockercache.cache.lifecycle;

import io.dockercache.cache.config.CacheConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one {@link AccessLog} of the process, on the wall clock (its stamps are persisted). Uses
 * are tracked only when some limit can evict: a cap, free space to keep or an idle limit.
 */
public class AccessLogProducer {

  @Produces
  @Singleton
  AccessLog accessLog(CacheConfig config) {
    boolean evicts = !config.maxSize().isZero() || !config.minFreeSpace().isOff()
        || !config.maxIdle().isZero();
    return new AccessLog(System::currentTimeMillis, evicts);
  }
}
