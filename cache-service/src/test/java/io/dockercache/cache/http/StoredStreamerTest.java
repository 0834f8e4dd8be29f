package io.dockercache.cache.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dockercache.cache.pullthrough.BlobSource;
import io.dockercache.cache.storage.Storage;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StoredStreamer} over a real Vert.x server and a storage whose objects are generated on
 * the fly (nothing held in memory), read by a slow client so that backpressure engages.
 */
class StoredStreamerTest {

  private static final long SIZE = 24L * 1024 * 1024 + 17;

  private Vertx vertx;
  private HttpServer server;
  private final GeneratedStorage storage = new GeneratedStorage();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private volatile long start;
  private volatile long end = SIZE;
  private volatile BlobSource.Verify verify;
  private final AtomicInteger matched = new AtomicInteger();
  private final AtomicInteger damaged = new AtomicInteger();

  @BeforeEach
  void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer()
        .requestHandler(req -> new StoredStreamer(vertx, storage, req.path().substring(1),
            req.response().putHeader("Content-Length", Long.toString(end - start)), start, end, SIZE, verify)
            .start())
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void slowClient_getsEveryByteInOrder_withOneReadAtATime() throws Exception {
    byte[] digest = slowRead("blob");

    assertArrayEquals(GeneratedStorage.sha256(0, SIZE), digest);
    assertEquals(0, storage.overlappingReads.get(), "reads of one stream ran at the same time");
  }

  @Test
  void range_sendsExactlyThoseBytes() throws Exception {
    start = 5_000_000;
    end = 13_000_001;

    assertArrayEquals(GeneratedStorage.sha256(start, end), slowRead("blob"));
  }

  @Test
  void storageFailsMidStream_connectionIsCutNotEndedCleanly() {
    storage.failAt = 9L * 1024 * 1024;

    assertThrows(IOException.class, () -> slowRead("blob"));
  }

  @Test
  void verified_matchingBytes_endCleanlyAndReportTheMatch() throws Exception {
    verify = verification(GeneratedStorage.sha256(0, SIZE));

    assertArrayEquals(GeneratedStorage.sha256(0, SIZE), slowRead("blob"));
    assertEquals(1, matched.get());
    assertEquals(0, damaged.get());
  }

  @Test
  void verified_bytesOfAnotherDigest_connectionCutBeforeTheLastByte() throws Exception {
    verify = verification(GeneratedStorage.sha256(0, SIZE - 1));

    assertThrows(IOException.class, () -> slowRead("blob"), "damaged bytes must never end cleanly");
    assertEquals(0, matched.get());
    assertEquals(1, damaged.get());
  }

  @Test
  void verifiedRange_hashesTheWholeBlob_sendsOnlyTheRange() throws Exception {
    start = 5_000_000;
    end = 13_000_001;
    verify = verification(GeneratedStorage.sha256(0, SIZE));

    assertArrayEquals(GeneratedStorage.sha256(start, end), slowRead("blob"));
    assertEquals(1, matched.get(), "the whole blob was hashed and matched");
    assertEquals(0, damaged.get());
  }

  @Test
  void verifiedRange_ofADamagedBlob_isCutBeforeItsLastByte() throws Exception {
    start = 0;
    end = 1_000_000;
    verify = verification(GeneratedStorage.sha256(0, SIZE - 1));

    assertThrows(IOException.class, () -> slowRead("blob"),
        "a range of a blob that does not hash to its name must never end cleanly");
    assertEquals(1, damaged.get());
  }

  private BlobSource.Verify verification(byte[] sha256) {
    return new BlobSource.Verify(io.dockercache.common.Digest.sha256(sha256),
        matched::incrementAndGet, damaged::incrementAndGet);
  }

  @Test
  void missingObject_isAnErrorResponse_beforeAnyByte() throws Exception {
    HttpResponse<String> response = client.send(request("missing"), HttpResponse.BodyHandlers.ofString());

    assertEquals(503, response.statusCode(), "a storage failure is retryable: UNAVAILABLE");
    assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
  }

  private byte[] slowRead(String key) throws Exception {
    HttpResponse<InputStream> response = client.send(request(key), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[32 * 1024];
    long total = 0;
    try (InputStream in = response.body()) {
      for (int n, reads = 0; (n = in.read(buf)) > 0; reads++) {
        sha.update(buf, 0, n);
        total += n;
        if (reads % 16 == 0) {
          Thread.sleep(1); // a slow client: the server's write queue fills and drains many times
        }
      }
    }
    assertEquals(end - start, total, "bytes received");
    return sha.digest();
  }

  private HttpRequest request(String key) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/" + key)).build();
  }

  /** Objects whose byte at offset i is a function of i; counts reads that overlap. */
  private static final class GeneratedStorage implements Storage {
    final AtomicInteger overlappingReads = new AtomicInteger();
    private final AtomicInteger inRead = new AtomicInteger();
    volatile long failAt = -1;

    static byte at(long i) {
      return (byte) (i * 31 + (i >>> 11));
    }

    static byte[] sha256(long from, long to) throws Exception {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (long pos = from; pos < to; ) {
        int n = (int) Math.min(buf.length, to - pos);
        for (int i = 0; i < n; i++) {
          buf[i] = at(pos + i);
        }
        sha.update(buf, 0, n);
        pos += n;
      }
      return sha.digest();
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
      if (!key.equals("blob")) {
        throw new NoSuchFileException(key);
      }
      return new InputStream() {
        private long pos = offset;
        private final long limit = offset + length;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (inRead.incrementAndGet() > 1) {
            overlappingReads.incrementAndGet();
          }
          try {
            if (failAt >= 0 && pos >= failAt) {
              throw new IOException("storage broke off");
            }
            if (pos >= limit) {
              return -1;
            }
            int n = (int) Math.min(len, Math.min(limit - pos, 8192));
            for (int i = 0; i < n; i++) {
              b[off + i] = at(pos + i);
            }
            pos += n;
            return n;
          } finally {
            inRead.decrementAndGet();
          }
        }
      };
    }

    @Override
    public OptionalLong size(String key) {
      return OptionalLong.of(SIZE);
    }

    @Override
    public Optional<byte[]> readSmall(String key, int maxBytes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void writeSmall(String key, byte[] content) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Path> localFile(String key) {
      return Optional.empty();
    }

    @Override
    public List<String> list(String prefix) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Entry> walk(String prefix) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Lock> tryLock(String name) {
      return Optional.empty();
    }

    @Override
    public boolean isShared() {
      return false;
    }

    @Override
    public long stagingUsable() {
      return Long.MAX_VALUE;
    }

    @Override
    public Optional<Space> space() {
      return Optional.empty();
    }

    @Override
    public Path newStagingFile() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void commit(Path stagingFile, String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void check() {
    }
  }
}
