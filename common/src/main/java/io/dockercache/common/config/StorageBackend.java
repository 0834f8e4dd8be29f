package io.dockercache.common.config;

/** The storage backends {@code docker_cache_storage_backend} may name (written lower-case). */
public enum StorageBackend {
  FILESYSTEM,
  AZURE
}
