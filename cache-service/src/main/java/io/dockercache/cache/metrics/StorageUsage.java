package io.dockercache.cache.metrics;

import io.dockercache.cache.storage.Storage;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * Counts the bytes of the blobs in storage once, in the background after start (the store may be
 * large); commits add to it from then on ({@link CacheMetrics#storageAdded}).
 */
@ApplicationScoped
public class StorageUsage {

  private static final Logger LOG = Logger.getLogger(StorageUsage.class);
  private static final String BLOBS = "docker/registry/v2/blobs/sha256/";

  void countAtStart(@Observes StartupEvent start, Vertx vertx, Storage storage, CacheMetrics metrics) {
    vertx.executeBlocking(() -> {
      long total = 0;
      for (String prefix : storage.list(BLOBS)) {
        for (String hex : storage.list(BLOBS + prefix + "/")) {
          OptionalLong size = storage.size(BLOBS + prefix + "/" + hex + "/data");
          total += size.orElse(0);
        }
      }
      return total;
    }, false).onSuccess(metrics::storageBytes)
        .onFailure(e -> LOG.warnf("cannot count the bytes in storage: %s", e.getMessage()));
  }

}
