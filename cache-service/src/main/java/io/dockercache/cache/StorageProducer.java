package io.dockercache.cache;

import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.common.config.StorageBackend;
import io.dockercache.cache.config.ConfigurationCheck;
import io.dockercache.cache.pullthrough.AsyncStorage;
import io.dockercache.cache.storage.Storage;
import io.dockercache.cache.storage.azure.AzureConfig;
import io.dockercache.cache.storage.azure.AzureStorage;
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
  Storage storage(DockerCacheConfig config, AzureConfig azureConfig, ConfigurationCheck checked) {
    if (config.storageBackend() == StorageBackend.AZURE) {
      return azure(config, azureConfig);
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

  private static Storage azure(DockerCacheConfig config, AzureConfig azureConfig) {
    AzureStorage azure = AzureStorage.create(config, azureConfig,
        Path.of(System.getProperty("java.io.tmpdir"), "docker-cache-staging"));
    try {
      int swept = azure.prepare();
      LOG.infof("azure storage: %s (%d staging files from an earlier run removed)",
          azure.describe(), swept);
    } catch (IOException e) {
      throw new UncheckedIOException("docker_cache_storage_backend=azure: cannot prepare "
          + azure.describe() + ": " + e.getMessage(), e);
    }
    return azure;
  }

  @Produces
  @Singleton
  AsyncStorage asyncStorage(Vertx vertx, Storage storage) {
    return new AsyncStorage(vertx, storage);
  }
}
