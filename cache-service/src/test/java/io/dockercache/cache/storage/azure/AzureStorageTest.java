package io.dockercache.cache.storage.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.storage.Storage;
import io.dockercache.cache.storage.StorageContractTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract against a real Azurite, plus what only the Azure backend does. */
class AzureStorageTest extends StorageContractTest {

  private static final String BLOB = "docker/registry/v2/blobs/sha256/ab/abcdef/data";

  @TempDir
  static Path work;

  private static AzuriteServer azurite;

  @TempDir
  Path staging;

  private String container;

  @BeforeAll
  static void startAzurite() throws Exception {
    azurite = AzuriteServer.start(work);
  }

  @AfterAll
  static void stopAzurite() {
    if (azurite != null) {
      azurite.close();
    }
  }

  @Override
  protected Storage newStorage() throws IOException {
    container = "c" + UUID.randomUUID().toString().replace("-", "");
    return prepared(azurite.endpoint(), container, staging.resolve("a"));
  }

  @Override
  protected Storage sameStorageAgain() throws IOException {
    return prepared(azurite.endpoint(), container, staging.resolve("b"));
  }

  private static AzureStorage prepared(String endpoint, String container, Path staging)
      throws IOException {
    AzureStorage s = new AzureStorage(settings(endpoint, container, 3), staging);
    s.prepare();
    return s;
  }

  private static AzureSettings settings(String endpoint, String container, int tries) {
    return new AzureSettings(endpoint, AzuriteServer.ACCOUNT, AzuriteServer.KEY, container,
        Duration.ofSeconds(5), tries, Duration.ofMillis(50));
  }

  @Test
  void prepare_createsMissingContainer_andIsRepeatable() throws IOException {
    AzureStorage again = prepared(azurite.endpoint(), container, staging.resolve("b"));

    again.check();
    storage.writeSmall(BLOB, bytes("x"));
    assertEquals(OptionalLong.of(1), again.size(BLOB), "a second client sees the same container");
  }

  @Test
  void localFile_isEmpty() {
    assertEquals(Optional.empty(), storage.localFile(BLOB));
  }

  @Test
  void commit_existingBlob_keepsTheFirstBytes() throws IOException {
    commitBytes(storage, bytes("first"));

    commitBytes(storage, bytes("second"));

    assertArrayEquals(bytes("first"), storage.readSmall(BLOB, 1024).orElseThrow());
  }

  @Test
  void commit_bigFile_isStagedInBlocks_andReadsBackInChunks() throws IOException {
    byte[] content = new byte[20 * 1024 * 1024 + 12345]; // three 8 MiB blocks, six 4 MiB chunks
    new Random(7).nextBytes(content);

    commitBytes(storage, content);

    assertEquals(OptionalLong.of(content.length), storage.size(BLOB));
    try (InputStream in = storage.open(BLOB, 0, content.length)) {
      assertArrayEquals(content, in.readAllBytes());
    }
    long from = 4L * 1024 * 1024 - 10;
    try (InputStream in = storage.open(BLOB, from, 9_000_000)) {
      assertArrayEquals(Arrays.copyOfRange(content, (int) from, (int) from + 9_000_000),
          in.readAllBytes());
    }
  }

  @Test
  void commit_sameBlobFromTwoReplicasAtOnce_bothSucceed_oneWholeBlob() throws Exception {
    byte[] content = new byte[10 * 1024 * 1024];
    new Random(11).nextBytes(content);
    AzureStorage other = prepared(azurite.endpoint(), container, staging.resolve("b"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> commits = new ArrayList<>();
      for (Storage replica : List.of(storage, other, storage, other)) {
        Path file = replica.newStagingFile();
        Files.write(file, content);
        commits.add(pool.submit((Callable<Void>) () -> {
          replica.commit(file, BLOB);
          return null;
        }));
      }
      for (Future<?> f : commits) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    try (InputStream in = other.open(BLOB, 0, content.length)) {
      assertArrayEquals(content, in.readAllBytes());
    }
  }

  @Test
  void commit_emptyFile_storesEmptyBlob() throws IOException {
    commitBytes(storage, new byte[0]);

    assertEquals(OptionalLong.of(0), storage.size(BLOB));
    assertArrayEquals(new byte[0], storage.readSmall(BLOB, 16).orElseThrow());
  }

  @Test
  void open_missingBlob_throwsNoSuchFile() {
    assertThrows(java.nio.file.NoSuchFileException.class, () -> storage.open(BLOB, 0, 1));
  }

  @Test
  void open_rangeBeyondTheEnd_throws() throws IOException {
    storage.writeSmall(BLOB, bytes("0123456789"));

    assertThrows(IOException.class, () -> storage.open(BLOB, 5, 6));
  }

  @Test
  void commit_failedUpload_removesStagingFile_andPublishesNothing() throws IOException {
    AzureStorage unreachable = new AzureStorage(settings("http://127.0.0.1:" + deadPort() + "/"
        + AzuriteServer.ACCOUNT, container, 1), staging.resolve("c"));
    Path file = unreachable.newStagingFile();
    Files.write(file, bytes("bytes"));

    assertThrows(IOException.class, () -> unreachable.commit(file, BLOB));

    assertFalse(Files.exists(file));
    assertEquals(OptionalLong.empty(), storage.size(BLOB));
  }

  @Test
  void check_unreachableEndpoint_throws() {
    AzureStorage unreachable = new AzureStorage(settings("http://127.0.0.1:" + deadPort() + "/"
        + AzuriteServer.ACCOUNT, container, 3), staging.resolve("d"));

    IOException e = assertThrows(IOException.class, unreachable::check);
    assertTrue(e.getMessage().contains("check container"), e.getMessage());
  }

  @Test
  void stalledStorage_callFailsAfterItsTries_insteadOfHanging() throws Exception {
    // Accepts connections and never answers: only the per-try timeout ends each try.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress())) {
      AzureStorage stalled = new AzureStorage(new AzureSettings("http://127.0.0.1:"
          + silent.getLocalPort() + "/" + AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT,
          AzuriteServer.KEY, container, Duration.ofSeconds(1), 2, Duration.ofMillis(10)),
          staging.resolve("f"));

      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        assertThrows(IOException.class, () -> stalled.size(BLOB));
        assertThrows(IOException.class, stalled::check);
      }, "a call to a storage that never answers did not end");
    }
  }

  @Test
  void check_missingContainer_throws() {
    AzureStorage missing = new AzureStorage(settings(azurite.endpoint(), "nosuchcontainer"
        + UUID.randomUUID().toString().substring(0, 8), 1), staging.resolve("e"));

    assertThrows(IOException.class, missing::check);
  }

  @Test
  void prepare_removesStagingFilesOfProcessesGone_keepsOthers() throws IOException {
    Path base = staging.resolve("sweep");
    Path gone = Files.createDirectories(base.resolve("999999999"));
    Files.writeString(gone.resolve("old"), "x");
    Path foreign = Files.createDirectories(base.resolve("not-a-pid"));

    int removed = new AzureStorage(settings(azurite.endpoint(), container, 1), base).prepare();

    assertEquals(1, removed);
    assertFalse(Files.exists(gone));
    assertTrue(Files.exists(foreign));
  }

  private static void commitBytes(Storage s, byte[] content) throws IOException {
    Path file = s.newStagingFile();
    Files.write(file, content);
    s.commit(file, BLOB);
  }

  private static int deadPort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
