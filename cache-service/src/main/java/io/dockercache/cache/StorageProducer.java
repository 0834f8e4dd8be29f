package io.dockercache.cache;

import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.common.config.StorageBackend;
import io.dockercache.cache.config.ConfigurationCheck;
import io.dockercache.cache.pullthrough.AsyncStorage;
import io.dockercache.cache.storage.Storage;
import io.dockercache.cache.storage.filesystem.FilesystemStorage;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Builds the storage backend that {@code docker_cache_storage_backend} names. */
public class StorageProducer {

  private static final Logger LOG = Logger.getLogger(StorageProducer.class);

  /**
   * Built at start, so a bad storage setting stops the program at once, not on first request;
   * after the configuration check (its parameter), so the check speaks first.
   */
  @Produces
  @Singleton
  @Startup
  Storage storage(DockerCacheConfig config, ConfigurationCheck checked) {
    if (config.storageBackend() != StorageBackend.FILESYSTEM) {
      throw new IllegalStateException("docker_cache_storage_backend=azure is not supported by this "
          + "version yet; allowed: filesystem");
    }
    Path root = Path.of(config.fsMountPath());
    FilesystemStorage fs = new FilesystemStorage(root);
    try {
      int swept = fs.prepare();
      LOG.infof("filesystem storage at %s (%d staging files from an earlier run removed)", root, swept);
    } catch (IOException e) {
      throw new UncheckedIOException("docker_cache_fs_mount_path=" + root + ": cannot prepare: " + e, e);
    }
    return fs;
  }

  @Produces
  @Singleton
  AsyncStorage asyncStorage(Vertx vertx, Storage storage) {
    return new AsyncStorage(vertx, storage);
  }
}
