package io.dockercache.cache.config;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;

/** A {@link CacheConfig} for unit tests: empty optionals, 5 s durations, pools of 4. */
public final class TestCacheConfig {

  private TestCacheConfig() {}

  public static CacheConfig defaults() {
    return (CacheConfig) Proxy.newProxyInstance(CacheConfig.class.getClassLoader(),
        new Class<?>[] {CacheConfig.class}, (proxy, method, args) -> {
          Class<?> type = method.getReturnType();
          if (type == Optional.class) {
            return Optional.empty();
          }
          if (type == Duration.class) {
            return Duration.ofSeconds(5);
          }
          if (type == int.class) {
            return 4;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
