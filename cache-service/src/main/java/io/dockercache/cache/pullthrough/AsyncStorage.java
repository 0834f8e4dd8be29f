package io.dockercache.cache.pullthrough;

import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/** The blocking {@link Storage} calls, run on Vert.x worker threads so event loops never block. */
public final class AsyncStorage {

  /** Links are a digest string; anything larger is not a link. */
  private static final int MAX_LINK_BYTES = 256;

  private final Vertx vertx;
  private final Storage storage;

  public AsyncStorage(Vertx vertx, Storage storage) {
    this.vertx = vertx;
    this.storage = storage;
  }

  public Storage storage() {
    return storage;
  }

  public Future<OptionalLong> size(String key) {
    return run(() -> storage.size(key));
  }

  public Future<Optional<byte[]>> readSmall(String key, int maxBytes) {
    return run(() -> storage.readSmall(key, maxBytes));
  }

  public Future<Void> writeSmall(String key, byte[] content) {
    return run(() -> {
      storage.writeSmall(key, content);
      return null;
    });
  }

  /** The digest a link file points to; empty when there is no link. */
  public Future<Optional<Digest>> readLink(String key) {
    return readSmall(key, MAX_LINK_BYTES).map(o -> o.map(RegistryLayout::parseLink));
  }

  public Future<Void> writeLink(String key, Digest digest) {
    return writeSmall(key, RegistryLayout.linkContent(digest));
  }

  public Future<List<String>> list(String prefix) {
    return run(() -> storage.list(prefix));
  }

  public Future<Path> newStagingFile() {
    return run(storage::newStagingFile);
  }

  public Future<Void> commit(Path staging, String key) {
    return run(() -> {
      storage.commit(staging, key);
      return null;
    });
  }

  <T> Future<T> run(Callable<T> call) {
    return vertx.executeBlocking(call, false);
  }
}
