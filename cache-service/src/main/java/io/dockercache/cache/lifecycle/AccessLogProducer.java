package io.dockercache.cache.lifecycle;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one {@link AccessLog} of the process, on the wall clock (its stamps are persisted). */
public class AccessLogProducer {

  @Produces
  @Singleton
  AccessLog accessLog() {
    return new AccessLog(System::currentTimeMillis);
  }
}
