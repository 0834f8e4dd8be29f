package io.dockercache.cache.pullthrough;

import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.upstream.UpstreamException;
import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One upstream download of one blob, shared by every client that wants it while it runs (rule 3).
 * Bytes go to a local staging file as they arrive, hashed on the way; readers follow the file.
 * Only when the whole body hashes to the digest is the file committed to storage and the fill
 * {@link State#DONE}; readers hold back their last byte until then, so no client ever receives a
 * complete, clean response of unverified bytes. The download goes on if its clients leave.
 */
public final class BlobFill {

  private static final Logger LOG = Logger.getLogger(BlobFill.class);

  /** The life of a fill; only moves forward. */
  public enum State { RUNNING, DONE, FAILED }

  private final Digest digest;
  private final String action;
  private final Set<RepositoryName> repositories = ConcurrentHashMap.newKeySet();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Promise<Void> started = Promise.promise();
  private final Promise<Void> finished = Promise.promise();
  private volatile Path file;
  private volatile long size = -1;
  private volatile long available;
  private volatile State state = State.RUNNING;
  private volatile Throwable failure;
  private volatile BlobSource.PassThrough passThrough;
  private final AtomicBoolean claimed = new AtomicBoolean();

  BlobFill(Digest digest, RepositoryName firstRepository, String action) {
    this.digest = digest;
    this.action = action;
    repositories.add(firstRepository);
  }

  public Digest digest() {
    return digest;
  }

  /** The file to read the bytes from: the staging file while running, the stored blob when done. */
  public Path file() {
    return file;
  }

  /** The blob's size as the upstream announced it, or -1 when it did not. */
  public long size() {
    return size;
  }

  /** How many bytes of {@link #file()} are written and may be read. */
  public long available() {
    return available;
  }

  public State state() {
    return state;
  }

  public Throwable failure() {
    return failure;
  }

  /** Completes when the upstream answered with the body (or fails, before any byte). */
  Future<Void> started() {
    return started.future();
  }

  /** Completes when the blob is committed, fails when it will not be. */
  Future<Void> finished() {
    return finished.future();
  }

  /** Another repository the upstream confirmed may use this blob: linked on commit. */
  void addRepository(RepositoryName name) {
    repositories.add(name);
  }

  /** Whether this fill was started, or confirmed by the upstream, for {@code name}. */
  boolean isFor(RepositoryName name) {
    return repositories.contains(name);
  }

  /** Calls {@code onChange} on {@code context} after new bytes or the end; returns a canceller. */
  public Runnable subscribe(Context context, Runnable onChange) {
    Listener l = new Listener(context, onChange);
    listeners.add(l);
    return () -> listeners.remove(l);
  }

  /**
   * Streams the upstream's 200 response into {@code staging}, then verifies and commits. Runs on
   * the response's event loop; the response must be paused.
   */
  void run(Vertx vertx, HttpClientResponse resp, Path staging, AsyncStorage storage) {
    this.file = staging;
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.size = length == null ? -1 : Long.parseLong(length);
    vertx.fileSystem().open(staging.toString(), new OpenOptions().setWrite(true).setCreate(false))
        .onFailure(e -> {
          fail(new StorageWriteException(action + ": cannot write staging file: " + e.getMessage(), e), storage);
          resp.request().reset();
        })
        .onSuccess(out -> new Download(resp, out, storage).begin());
  }

  /**
   * There is no room to stage the blob: the upstream's paused response goes, unstored, to the
   * first client that claims it; the fill ends here, so the next request starts afresh.
   */
  void passThrough(HttpClientResponse resp, Context context) {
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.size = length == null ? -1 : Long.parseLong(length);
    this.passThrough = new BlobSource.PassThrough(digest, resp, context, size, action);
    started.tryComplete();
    abort(new UpstreamException(action + ": no room in storage to cache it; sent through uncached"));
  }

  /** The upstream response of a pass-through, to exactly one caller; empty for the others. */
  java.util.Optional<BlobSource.PassThrough> claimPassThrough() {
    BlobSource.PassThrough p = passThrough;
    return p != null && claimed.compareAndSet(false, true) ? java.util.Optional.of(p) : java.util.Optional.empty();
  }

  boolean isPassThrough() {
    return passThrough != null;
  }

  /** Fails a fill that could not begin (upstream error before any byte). */
  void abort(Throwable cause) {
    state = State.FAILED;
    failure = cause;
    started.tryFail(cause);
    finished.tryFail(cause);
    signal();
  }

  /** Gives up on a download that runs past its time limit. */
  void timeout(HttpClientResponse resp) {
    if (state == State.RUNNING) {
      resp.request().reset(0, new UpstreamException(action + ": took longer than the fill timeout"));
    }
  }

  private final class Download {
    /** Bytes gathered while a write runs; past this the upstream is paused (bounded memory). */
    private static final int HIGH_WATER = 1024 * 1024;

    private final HttpClientResponse resp;
    private final AsyncFile out;
    private final AsyncStorage storage;
    private final MessageDigest hasher;
    private Buffer pending = Buffer.buffer();
    private long position;
    private boolean writing;
    private boolean paused;
    private boolean ended;

    Download(HttpClientResponse resp, AsyncFile out, AsyncStorage storage) {
      this.resp = resp;
      this.out = out;
      this.storage = storage;
      this.hasher = digest.newMessageDigest();
    }

    void begin() {
      resp.exceptionHandler(e -> failAndClose(new UpstreamException(
          action + ": upstream body broke off after " + (position + pending.length()) + " bytes: "
              + e.getMessage(), e)));
      resp.endHandler(v -> {
        ended = true;
        if (!writing) {
          verifyAndCommit();
        }
      });
      resp.handler(this::receive);
      started.tryComplete();
      resp.resume();
    }

    private void receive(Buffer chunk) {
      if (state != State.RUNNING) {
        return;
      }
      hasher.update(chunk.getByteBuf().nioBuffer());
      pending.appendBuffer(chunk);
      if (!writing) {
        writePending();
      } else if (pending.length() >= HIGH_WATER && !paused) {
        paused = true;
        resp.pause();
      }
    }

    /**
     * Writes what has gathered, one write at a time: the disk paces the upstream, and
     * {@code available} only ever covers bytes that are really in the file.
     */
    private void writePending() {
      Buffer batch = pending;
      pending = Buffer.buffer();
      writing = true;
      out.write(batch, position).onComplete(ar -> {
        writing = false;
        if (ar.failed()) {
          failAndClose(new StorageWriteException(action + ": cannot write staging file: "
              + ar.cause().getMessage(), ar.cause()));
          resp.request().reset();
          return;
        }
        position += batch.length();
        available = position;
        signal();
        if (pending.length() > 0) {
          writePending();
        } else if (ended) {
          verifyAndCommit();
        }
        if (paused && pending.length() < HIGH_WATER) {
          paused = false;
          resp.resume();
        }
      });
    }

    private void verifyAndCommit() {
      if (state != State.RUNNING) {
        return;
      }
      String actual = HexFormat.of().formatHex(hasher.digest());
      if (size >= 0 && position != size) {
        failAndClose(new UpstreamException(action + ": got " + position + " of " + size + " bytes"));
        return;
      }
      if (!actual.equals(digest.hex())) {
        failAndClose(new UpstreamException(action + ": content hashes to " + digest.algorithm()
            + ":" + actual + "; not stored"));
        return;
      }
      String key = RegistryLayout.blobData(digest);
      out.flush()
          .compose(v -> out.close())
          .compose(v -> storage.commit(file, key))
          .compose(v -> Future.all(repositories.stream()
              .map(r -> storage.writeLink(RegistryLayout.layerLink(r, digest), digest)).toList()))
          .onSuccess(v -> {
            file = storage.storage().localFile(key).orElse(file);
            size = position;
            state = State.DONE;
            finished.tryComplete();
            signal();
          })
          .onFailure(e -> fail(new StorageWriteException(action + ": cannot store: " + e.getMessage(), e), storage));
    }

    private void failAndClose(Throwable cause) {
      if (state != State.RUNNING) {
        return;
      }
      out.close();
      fail(cause, storage);
    }
  }

  /** The fill could not write or commit to storage (a full disk, most likely), not an upstream fault. */
  static final class StorageWriteException extends UpstreamException {
    private static final long serialVersionUID = 1L;

    StorageWriteException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void fail(Throwable cause, AsyncStorage storage) {
    if (state != State.RUNNING) {
      return;
    }
    LOG.warnf("%s", cause.getMessage());
    abort(cause);
    Path staging = file;
    if (staging != null) {
      storage.run(() -> Files.deleteIfExists(staging));
    }
  }

  private void signal() {
    for (Listener l : listeners) {
      l.signal();
    }
  }

  /** Coalesces notifications: at most one pending callback per listener. */
  private static final class Listener {
    private final Context context;
    private final Runnable onChange;
    private final AtomicBoolean pending = new AtomicBoolean();

    Listener(Context context, Runnable onChange) {
      this.context = context;
      this.onChange = onChange;
    }

    void signal() {
      if (pending.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          pending.set(false);
          onChange.run();
        });
      }
    }
  }
}
