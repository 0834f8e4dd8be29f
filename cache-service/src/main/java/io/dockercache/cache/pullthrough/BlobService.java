package io.dockercache.cache.pullthrough;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.lifecycle.AccessLog;
import io.dockercache.cache.lifecycle.EvictionLoop;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.routing.Registries;
import io.dockercache.cache.upstream.InFlight;
import io.dockercache.cache.upstream.Upstream;
import io.dockercache.common.Digest;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs, pull-through: a stored blob the repository links is served from storage; anything else
 * comes from the upstream through one shared {@link BlobFill} per digest (DESIGN.md §3 rules 1-3).
 * A blob stored for another repository is only served after the upstream confirms this repository
 * has it too, so the shared blob store never leaks across repositories.
 */
@ApplicationScoped
public class BlobService {

  private final Vertx vertx;
  private final AsyncStorage storage;
  private final Registries registries;
  private final long fillMaxMillis;
  private final long idleTimeoutMillis;
  private final ConcurrentHashMap<Digest, BlobFill> fills = new ConcurrentHashMap<>();
  private final StagingRoom room = new StagingRoom();
  private final CacheMetrics metrics;
  private final AccessLog access;
  private final EvictionLoop lifecycle;

  @Inject
  public BlobService(Vertx vertx, AsyncStorage storage, Registries registries, CacheConfig config,
      CacheMetrics metrics, AccessLog access, EvictionLoop lifecycle) {
    this.metrics = metrics;
    this.access = access;
    this.lifecycle = lifecycle;
    metrics.fillsInProgress(fills::size);
    this.vertx = vertx;
    this.storage = storage;
    this.registries = registries;
    this.fillMaxMillis = config.fillMaxDuration().toMillis();
    this.idleTimeoutMillis = config.upstreamIdleTimeout().toMillis();
  }

  /** The bytes of a blob for a GET; fails with a registry error when there are none. */
  public Future<BlobSource> open(RepositoryName name, Digest digest) {
    // A use once there is something to serve: unknown digests must not grow the access log.
    return find(name, digest).onSuccess(source -> access.blobUsed(digest));
  }

  private Future<BlobSource> find(RepositoryName name, Digest digest) {
    return linkedSize(name, digest).compose(linked -> {
      if (linked.isPresent()) {
        return Future.succeededFuture(local(digest, linked.getAsLong()));
      }
      BlobFill running = fills.get(digest);
      if (running != null) {
        return join(name, digest, running);
      }
      return storedSize(digest).compose(stored -> {
        if (stored.isPresent()) {
          return confirmUpstream(name, digest)
              .compose(v -> storage.writeLink(RegistryLayout.layerLink(name, digest), digest))
              .map(v -> local(digest, stored.getAsLong()));
        }
        return startOrJoin(name, digest);
      });
    });
  }

  /** The size of a blob for a HEAD, asking the upstream (HEAD only) when it is not stored here. */
  public Future<Long> size(RepositoryName name, Digest digest) {
    return linkedSize(name, digest).compose(linked -> {
      if (linked.isPresent()) {
        return Future.succeededFuture(linked.getAsLong());
      }
      BlobFill running = fills.get(digest);
      if (running != null && running.size() >= 0) {
        return confirmElsewhere(name, digest, running).map(v -> running.size());
      }
      return upstreamHead(name, digest);
    });
  }

  /**
   * A stored blob: hashed on its first serve since the start (bytes at rest may have been damaged
   * while the cache was down), zero-copy from a local file from then on.
   */
  private BlobSource local(Digest digest, long size) {
    String key = RegistryLayout.blobData(digest);
    if (!access.isVerified(digest)) {
      return new BlobSource.Stored(storage.storage(), key, size, new BlobSource.Verify(digest,
          () -> access.verified(digest, size),
          () -> lifecycle.removeDamaged(digest, size, "does not hash to its name")));
    }
    return storage.storage().localFile(key).<BlobSource>map(f -> new BlobSource.LocalFile(f, size))
        .orElseGet(() -> new BlobSource.Stored(storage.storage(), key, size, null));
  }

  private Future<OptionalLong> linkedSize(RepositoryName name, Digest digest) {
    return storage.readLink(RegistryLayout.layerLink(name, digest)).compose(link -> link.isPresent()
        ? storedSize(digest)
        : Future.succeededFuture(OptionalLong.empty()));
  }

  /**
   * The size of the stored blob, checked against the size a manifest gave for it: a blob of
   * another size that does not hash to its name either is damaged (truncated, appended to), so
   * it is removed and counts as absent.
   */
  private Future<OptionalLong> storedSize(Digest digest) {
    return storage.size(RegistryLayout.blobData(digest)).compose(stored -> {
      if (stored.isEmpty()) {
        return Future.succeededFuture(stored);
      }
      long size = stored.getAsLong();
      OptionalLong verified = access.verifiedSize(digest);
      if (verified.isPresent()) {
        // Hashed at that size in this process: any other size is damage, for certain.
        return verified.getAsLong() == size ? Future.succeededFuture(stored)
            : lifecycle.removeDamaged(digest, size, "not the size it was verified at")
                .map(OptionalLong.empty());
      }
      OptionalLong expected = access.expectedSize(digest);
      if (expected.isEmpty() || expected.getAsLong() == size) {
        return Future.succeededFuture(stored);
      }
      return lifecycle.checkDamaged(digest, size)
          .map(removed -> removed ? OptionalLong.empty() : stored);
    });
  }

  private Future<BlobSource> follow(BlobFill fill) {
    return InFlight.onCurrentContext(fill.started()).compose(v -> {
      if (!fill.isPassThrough()) {
        return Future.succeededFuture(new BlobSource.Filling(fill,
            () -> local(fill.digest(), fill.size())));
      }
      // One upstream body feeds one client: the others retry, and start their own.
      return fill.claimPassThrough().<Future<BlobSource>>map(Future::succeededFuture)
          .orElseGet(() -> Future.failedFuture(new RegistryException(ErrorCode.UNAVAILABLE,
              "pull blob " + fill.digest() + ": no room in storage to cache it; retry")));
    });
  }

  /**
   * The one way into a running fill, whoever started it and whenever the request found it: a
   * repository the fill is not for yet is only let in once the upstream confirms it has the blob.
   */
  private Future<BlobSource> join(RepositoryName name, Digest digest, BlobFill fill) {
    return confirmElsewhere(name, digest, fill).compose(v -> {
      metrics.coalescedWaiter();
      return follow(fill);
    });
  }

  /**
   * A fill started for another repository may serve this one once the upstream says so; the
   * repositories it is already for need no second HEAD (review L3).
   */
  private Future<Void> confirmElsewhere(RepositoryName name, Digest digest, BlobFill fill) {
    if (fill.isFor(name)) {
      return Future.succeededFuture();
    }
    return confirmUpstream(name, digest).onSuccess(v -> fill.addRepository(name));
  }

  private Future<Void> confirmUpstream(RepositoryName name, Digest digest) {
    return upstreamHead(name, digest).mapEmpty();
  }

  private Future<Long> upstreamHead(RepositoryName name, Digest digest) {
    String action = "check blob " + digest + " of " + name;
    Upstream upstream = registries.of(name);
    return upstream.send(HttpMethod.HEAD, name, "blobs/" + digest, MultiMap.caseInsensitiveMultiMap())
        .recover(e -> Future.failedFuture(UpstreamAnswers.unreachable(action, e)))
        .compose(resp -> Upstream.discard(resp).transform(v -> {
          String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
          if (resp.statusCode() != 200) {
            return Future.failedFuture(UpstreamAnswers.error(resp.statusCode(),
                ErrorCode.BLOB_UNKNOWN, action, upstream.host()));
          }
          if (length == null) {
            return Future.failedFuture(new RegistryException(ErrorCode.UNAVAILABLE,
                action + ": " + upstream.host() + " sent no Content-Length"));
          }
          return Future.succeededFuture(Long.parseLong(length));
        }));
  }

  private static long contentLength(HttpClientResponse resp) {
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Future<BlobSource> startOrJoin(RepositoryName name, Digest digest) {
    Upstream upstream = registries.of(name);
    String action = "pull blob " + digest + " of " + name + " from " + upstream.host();
    BlobFill fresh = new BlobFill(digest, name, action);
    BlobFill existing = fills.putIfAbsent(digest, fresh);
    if (existing != null) {
      // Registered since this request looked, maybe for another repository: the same check applies.
      return join(name, digest, existing);
    }
    // The hard cap counts from now: a fill queued for a connection is bounded too (review #10).
    long deadline = vertx.setTimer(fillMaxMillis, t -> fresh.expire());
    fresh.finished().onComplete(done -> {
      fills.remove(digest, fresh);
      vertx.cancelTimer(deadline);
    })
        .onSuccess(done -> {
          access.blobUsed(digest); // a commit is a use: protected by the grace window from now
          access.verified(digest, fresh.size());
          lifecycle.added(fresh.size());
        })
        .onFailure(e -> {
          if (e instanceof BlobFill.StorageWriteException) {
            lifecycle.writeFailed();
          }
        });
    storage.newStagingFile()
        .compose(staging -> upstream.send(HttpMethod.GET, name, "blobs/" + digest,
                MultiMap.caseInsensitiveMultiMap())
            .recover(e -> Future.failedFuture(UpstreamAnswers.unreachable(action, e)))
            .compose(resp -> {
              if (resp.statusCode() != 200) {
                return Upstream.discard(resp).transform(v -> Future.failedFuture(UpstreamAnswers
                    .error(resp.statusCode(), ErrorCode.BLOB_UNKNOWN, action, upstream.host())));
              }
              Context upstreamContext = Vertx.currentContext();
              long length = contentLength(resp);
              return storage.run(() -> storage.storage().stagingUsable()).map(usable -> {
                if (!room.reserve(length, usable)) {
                  storage.run(() -> java.nio.file.Files.deleteIfExists(staging));
                  lifecycle.writeFailed();
                  fresh.passThrough(resp, upstreamContext);
                  return null;
                }
                fresh.finished().onComplete(done -> room.release(length));
                upstreamContext.runOnContext(x -> fresh.run(vertx, resp, staging, storage, idleTimeoutMillis));
                return null;
              });
            })
            .onFailure(e -> storage.run(() -> java.nio.file.Files.deleteIfExists(staging))))
        .onFailure(fresh::abort);
    return follow(fresh);
  }
}
