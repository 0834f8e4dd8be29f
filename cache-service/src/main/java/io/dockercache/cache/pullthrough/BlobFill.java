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
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
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

  /**
   * The life of a fill; only moves forward. {@code UNCACHED}: storage refused a write (a full
   * disk), so nothing will be stored; the bytes already in the staging file stay readable to the
   * clients that opened it, and the rest goes, verified, to the one client that claims the
   * {@link #tail()}. Everyone else is cut off (reset), never given a clean short response.
   */
  public enum State { RUNNING, DONE, FAILED, UNCACHED }

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
  private volatile Download download;
  private volatile FillTail tail;
  private final AtomicBoolean tailClaimed = new AtomicBoolean();

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

  /** What follows the staging file once the fill is {@link State#UNCACHED}; null before. */
  public FillTail tail() {
    return tail;
  }

  /** The tail, to exactly one client (true); the others are cut off. */
  public boolean claimTail() {
    return tail != null && tailClaimed.compareAndSet(false, true);
  }

  /** The client of the tail left: nobody else can be fed, so the upstream is let go. */
  public void dropTail() {
    Download d = download;
    if (d != null) {
      d.context.runOnContext(v -> d.giveUp(new UpstreamException(action
          + ": the client fed uncached left; download abandoned")));
    }
  }

  /**
   * A reader fed the upstream's bytes as they arrive, on the download's event loop, so they need
   * no second trip through the staging file. It still holds back the last byte of its response
   * until the fill is {@link State#DONE}: nothing about verification changes.
   */
  public interface LiveReader {
    /** The next bytes of the blob, in order; false when the reader takes no more this way. */
    boolean take(Buffer chunk);
  }

  /**
   * Feeds {@code reader}, which has the bytes before {@code position}, as they arrive: true when
   * it now has every byte received so far and is fed the next ones; false when it is on another
   * event loop, behind what is only in the staging file, or could not take the bytes in memory.
   */
  public boolean goLive(long position, LiveReader reader) {
    Download d = download;
    return d != null && d.goLive(position, reader);
  }

  /** Calls {@code onChange} on {@code context} after new bytes or the end; returns a canceller. */
  public Runnable subscribe(Context context, Runnable onChange) {
    Listener l = new Listener(context, onChange);
    listeners.add(l);
    return () -> listeners.remove(l);
  }

  /**
   * Streams the upstream's 200 response into {@code staging}, then verifies and commits. Runs on
   * the response's event loop; the response must be paused. A body that sends nothing for
   * {@code idleTimeoutMillis} (while the cache is ready for more) is abandoned.
   */
  void run(Vertx vertx, HttpClientResponse resp, Path staging, AsyncStorage storage, long idleTimeoutMillis) {
    this.file = staging;
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.size = length == null ? -1 : Long.parseLong(length);
    MessageDigest hasher = digest.newMessageDigest();
    storage.run(() -> StagingWriter.open(staging, hasher))
        .onFailure(e -> {
          fail(new StorageWriteException(action + ": cannot write staging file: " + e.getMessage(), e), storage);
          resp.request().reset();
        })
        .onSuccess(out -> {
          Download d = new Download(vertx, resp, out, hasher, storage, idleTimeoutMillis);
          download = d;
          if (state == State.RUNNING) {
            d.begin();
          } else {
            d.giveUp(failure); // the hard cap passed while the file opened
          }
        });
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

  /**
   * The hard cap on the fill's life passed (docker_cache_fill_max_duration): the download, or the
   * wait for it, ends here however steadily bytes arrive.
   */
  void expire() {
    if (state != State.RUNNING && state != State.UNCACHED) {
      return;
    }
    UpstreamException cause = new UpstreamException(action + ": took longer than "
        + "docker_cache_fill_max_duration");
    Download d = download;
    if (d != null) {
      d.context.runOnContext(v -> d.giveUp(cause));
    } else {
      abort(cause);
    }
  }

  private final class Download {
    /** Bytes gathered while a write runs; past this the upstream is paused (bounded memory). */
    private static final int HIGH_WATER = 1024 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final HttpClientResponse resp;
    private final StagingWriter out;
    private final AsyncStorage storage;
    private final MessageDigest hasher;
    private final long idleTimeoutNanos;
    /** The upstream's chunks since the last write began, kept as they came (never copied). */
    private List<Buffer> pending = new ArrayList<>();
    private long pendingBytes;
    /** The chunks being written, the bytes at {@code position}; empty between writes. */
    private List<Buffer> inFlight = List.of();
    /** Readers fed as bytes arrive; only touched on {@link #context}. */
    private final List<LiveReader> live = new ArrayList<>(2);
    private long position;
    private long received;
    private long lastProgress = System.nanoTime();
    private long watchdog = -1;
    private boolean writing;
    private boolean paused;
    private boolean ended;

    Download(Vertx vertx, HttpClientResponse resp, StagingWriter out, MessageDigest hasher,
        AsyncStorage storage, long idleTimeoutMillis) {
      this.vertx = vertx;
      this.context = vertx.getOrCreateContext();
      this.resp = resp;
      this.out = out;
      this.storage = storage;
      this.hasher = hasher;
      this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
    }

    void begin() {
      resp.exceptionHandler(e -> giveUp(new UpstreamException(
          action + ": upstream body broke off after " + received + " bytes: " + e.getMessage(), e)));
      resp.endHandler(v -> {
        ended = true;
        if (state == State.UNCACHED) {
          verifyTail();
        } else if (!writing) {
          verifyAndCommit();
        }
      });
      resp.handler(this::receive);
      long period = Math.max(100, idleTimeoutNanos / 4_000_000L);
      watchdog = vertx.setPeriodic(period, id -> checkProgress());
      finished.future().onComplete(done -> {
        if (state != State.UNCACHED) {
          stopWatchdog();
        }
      });
      started.tryComplete();
      resp.resume();
    }

    /**
     * The progress rule (review L1): a download is ended when the upstream sent nothing for the
     * idle timeout while the cache was ready for more, or, uncached, when its client took
     * nothing for as long; never for being long.
     */
    private void checkProgress() {
      if (state != State.RUNNING && state != State.UNCACHED || ended && state == State.RUNNING) {
        stopWatchdog();
        return;
      }
      if (paused && state == State.RUNNING) {
        lastProgress = System.nanoTime(); // waiting on our own disk, not on the upstream
        return;
      }
      if (System.nanoTime() - lastProgress > idleTimeoutNanos) {
        giveUp(new UpstreamException(action + ": " + (paused
            ? "the client fed uncached took nothing for docker_cache_upstream_idle_timeout"
            : "upstream sent nothing for docker_cache_upstream_idle_timeout") + " after "
            + received + " bytes; abandoned"));
      }
    }

    private void stopWatchdog() {
      if (watchdog >= 0) {
        vertx.cancelTimer(watchdog);
        watchdog = -1;
      }
    }

    private void receive(Buffer chunk) {
      lastProgress = System.nanoTime();
      if (state == State.UNCACHED) {
        hasher.update(chunk.getByteBuf().nioBuffer());
        received += chunk.length();
        if (tail.offer(chunk)) {
          pause();
        }
        signal();
        return;
      }
      if (state != State.RUNNING) {
        return;
      }
      received += chunk.length();
      pending.add(chunk); // hashed with the write, on a worker
      pendingBytes += chunk.length();
      if (!live.isEmpty()) {
        live.removeIf(reader -> !reader.take(chunk)); // the upstream's own buffer: never reused
      }
      if (!writing) {
        writePending();
      } else if (pendingBytes >= HIGH_WATER) {
        pause();
      }
    }

    /** See {@link BlobFill#goLive}: the bytes not yet written come from the batches in memory. */
    boolean goLive(long from, LiveReader reader) {
      if (state != State.RUNNING || Vertx.currentContext() != context || from < position || from > received) {
        return false;
      }
      long offset = position;
      for (List<Buffer> batch : List.of(inFlight, pending)) {
        for (Buffer chunk : batch) {
          long chunkEnd = offset + chunk.length();
          if (from < chunkEnd) {
            if (!reader.take(from == offset ? chunk : chunk.slice((int) (from - offset), chunk.length()))) {
              return false;
            }
            from = chunkEnd;
          }
          offset = chunkEnd;
        }
      }
      live.add(reader);
      return true;
    }

    private void pause() {
      if (!paused) {
        paused = true;
        resp.pause();
      }
    }

    private void resume() {
      if (paused) {
        paused = false;
        lastProgress = System.nanoTime();
        resp.resume();
      }
    }

    /**
     * Writes what has gathered, one write at a time: the disk paces the upstream, and
     * {@code available} only ever covers bytes that are really in the file.
     */
    private void writePending() {
      List<Buffer> batch = pending;
      long batchBytes = pendingBytes;
      pending = new ArrayList<>();
      pendingBytes = 0;
      writing = true;
      inFlight = batch;
      long at = position;
      storage.run(() -> {
        out.write(batch, at);
        return null;
      }).onComplete(ar -> {
        writing = false;
        inFlight = List.of();
        if (state != State.RUNNING) {
          return;
        }
        if (ar.failed()) {
          writeFailed(batch, new StorageWriteException(action + ": cannot write staging file: "
              + ar.cause().getMessage(), ar.cause()));
          return;
        }
        position += batchBytes;
        available = position;
        signal();
        if (pendingBytes > 0) {
          writePending();
        } else if (ended) {
          verifyAndCommit();
        }
        if (pendingBytes < HIGH_WATER) {
          resume();
        }
      });
    }

    private Future<Void> closeOut() {
      return storage.run(() -> {
        out.close();
        return null;
      });
    }

    /**
     * Storage refused the bytes (ENOSPC, most likely): nothing will be stored, but clients
     * already streaming need not be cut off. One of them gets the rest from memory, verified;
     * with no client at all, the download ends here.
     */
    private void writeFailed(List<Buffer> unwritten, StorageWriteException cause) {
      if (listeners.isEmpty()) {
        failAndClose(cause);
        resp.request().reset();
        return;
      }
      closeOut();
      LOG.warnf("%s; the rest goes to one client uncached", cause.getMessage());
      FillTail t = new FillTail(position, () -> context.runOnContext(v -> resume()));
      boolean full = false;
      for (Buffer chunk : unwritten) { // hashed by the failed write
        full |= t.offer(chunk);
      }
      for (Buffer chunk : pending) {
        hasher.update(chunk.getByteBuf().nioBuffer());
        full |= t.offer(chunk);
      }
      pending = new ArrayList<>();
      pendingBytes = 0;
      tail = t;
      failure = cause;
      state = State.UNCACHED;
      finished.tryFail(cause); // the next request starts afresh (and finds out about the room)
      Path staging = file;
      storage.run(() -> Files.deleteIfExists(staging)); // open readers keep their descriptors
      lastProgress = System.nanoTime();
      if (full) {
        pause();
      } else {
        resume();
      }
      if (ended) {
        verifyTail();
      }
      signal();
    }

    private void verifyTail() {
      tail.end(verdict());
      stopWatchdog();
      signal();
    }

    /** Null when the body is the blob: the announced size and the digest; else why not. */
    private Throwable verdict() {
      String actual = HexFormat.of().formatHex(hasher.digest());
      if (size >= 0 && received != size) {
        return new UpstreamException(action + ": got " + received + " of " + size + " bytes");
      }
      if (!actual.equals(digest.hex())) {
        return new UpstreamException(action + ": content hashes to " + digest.algorithm()
            + ":" + actual + "; not stored");
      }
      return null;
    }

    private void verifyAndCommit() {
      if (state != State.RUNNING) {
        return;
      }
      Throwable wrong = verdict();
      if (wrong != null) {
        failAndClose(wrong);
        return;
      }
      String key = RegistryLayout.blobData(digest);
      // No fsync: bytes at rest are hashed again on their first serve after a start (a power
      // loss can only cost a download), and the wait for the disk would hold every client.
      closeOut()
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

    /** Ends the download without storing anything: the upstream is reset, every client cut off. */
    void giveUp(Throwable cause) {
      stopWatchdog();
      if (state == State.UNCACHED) {
        if (!tail.finished()) {
          LOG.warnf("%s", cause.getMessage());
          tail.end(cause);
          signal();
        }
        resp.request().reset();
        return;
      }
      if (state != State.RUNNING) {
        return;
      }
      failAndClose(cause);
      resp.request().reset();
    }

    private void failAndClose(Throwable cause) {
      if (state != State.RUNNING) {
        return;
      }
      stopWatchdog();
      closeOut();
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
