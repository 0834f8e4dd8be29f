package io.dockercache.cache.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Storage} backend must do, whatever it stores in. A backend's test extends this
 * class and supplies a fresh, empty, ready storage; backend-only behaviour lives in the subclass.
 * Modelled on distribution's {@code registry/storage/driver/testsuites}.
 */
public abstract class StorageContractTest {

  private static final String KEY = "docker/registry/v2/blobs/sha256/ab/abcdef/data";

  protected Storage storage;

  /** A new, empty storage, ready to serve (prepared, if the backend needs it). */
  protected abstract Storage newStorage() throws Exception;

  /** A second client of the storage the last {@link #newStorage()} made, as another process opens it. */
  protected abstract Storage sameStorageAgain() throws Exception;

  @BeforeEach
  void createStorage() throws Exception {
    storage = newStorage();
  }

  @Test
  void size_missingKey_isEmpty() throws IOException {
    assertEquals(OptionalLong.empty(), storage.size(KEY));
  }

  @Test
  void readSmall_missingKey_isEmpty() throws IOException {
    assertEquals(Optional.empty(), storage.readSmall(KEY, 1024));
  }

  @Test
  void writeSmall_thenRead_returnsContentAndSize() throws IOException {
    byte[] content = bytes("sha256:" + "a".repeat(64));

    storage.writeSmall(KEY, content);

    assertArrayEquals(content, storage.readSmall(KEY, 1024).orElseThrow());
    assertEquals(OptionalLong.of(content.length), storage.size(KEY));
  }

  @Test
  void writeSmall_emptyContent_isStoredWithSizeZero() throws IOException {
    storage.writeSmall(KEY, new byte[0]);

    assertEquals(OptionalLong.of(0), storage.size(KEY));
    assertArrayEquals(new byte[0], storage.readSmall(KEY, 16).orElseThrow());
  }

  @Test
  void writeSmall_existingKey_replacesContent() throws IOException {
    storage.writeSmall(KEY, bytes("a much longer first content"));

    storage.writeSmall(KEY, bytes("second"));

    assertArrayEquals(bytes("second"), storage.readSmall(KEY, 1024).orElseThrow());
    assertEquals(OptionalLong.of(6), storage.size(KEY));
  }

  @Test
  void readSmall_exactlyAtLimit_returnsContent() throws IOException {
    storage.writeSmall(KEY, new byte[100]);

    assertEquals(100, storage.readSmall(KEY, 100).orElseThrow().length);
  }

  @Test
  void readSmall_overLimit_throws() throws IOException {
    storage.writeSmall(KEY, new byte[101]);

    assertThrows(IOException.class, () -> storage.readSmall(KEY, 100));
  }

  @Test
  void open_range_returnsExactlyThoseBytes() throws IOException {
    storage.writeSmall(KEY, bytes("0123456789"));

    try (InputStream in = storage.open(KEY, 3, 4)) {
      assertArrayEquals(bytes("3456"), in.readAllBytes());
    }
  }

  @Test
  void open_wholeObject_returnsAllBytes() throws IOException {
    storage.writeSmall(KEY, bytes("0123456789"));

    try (InputStream in = storage.open(KEY, 0, 10)) {
      assertArrayEquals(bytes("0123456789"), in.readAllBytes());
    }
  }

  @Test
  void newStagingFile_isEmptyLocalFile() throws IOException {
    Path staging = storage.newStagingFile();

    assertTrue(Files.isRegularFile(staging));
    assertEquals(0, Files.size(staging));
  }

  @Test
  void newStagingFile_twice_givesDistinctFiles() throws IOException {
    assertNotEquals(storage.newStagingFile(), storage.newStagingFile());
  }

  @Test
  void commit_publishesOnlyAtCommit_andConsumesStagingFile() throws IOException {
    byte[] content = bytes("blob bytes");
    Path staging = storage.newStagingFile();
    Files.write(staging, content);

    assertEquals(OptionalLong.empty(), storage.size(KEY), "visible before commit");
    assertEquals(Optional.empty(), storage.readSmall(KEY, 1024), "readable before commit");
    assertFalse(storage.list(parentOf(KEY)).contains("data"), "listed before commit");

    storage.commit(staging, KEY);

    assertEquals(OptionalLong.of(content.length), storage.size(KEY));
    assertArrayEquals(content, storage.readSmall(KEY, 1024).orElseThrow());
    assertFalse(Files.exists(staging), "staging file left behind after commit");
  }

  @Test
  void commit_existingKey_leavesOneWholeVersion_andConsumesStagingFile() throws IOException {
    storage.writeSmall(KEY, bytes("old"));
    Path staging = storage.newStagingFile();
    Files.write(staging, bytes("new!"));

    storage.commit(staging, KEY);

    // Commits publish content-addressed bytes: a backend may replace (a rename) or keep the first
    // (a conditional create), but never mixes them.
    String stored = new String(storage.readSmall(KEY, 1024).orElseThrow(), StandardCharsets.UTF_8);
    assertTrue(stored.equals("old") || stored.equals("new!"), stored);
    assertFalse(Files.exists(staging), "staging file left behind after commit");
  }

  @Test
  void localFile_whenPresent_holdsCommittedBytes() throws IOException {
    byte[] content = bytes("zero-copy me");
    Path staging = storage.newStagingFile();
    Files.write(staging, content);
    storage.commit(staging, KEY);

    Optional<Path> local = storage.localFile(KEY);

    // Remote backends answer empty; a backend that answers must point at the committed bytes.
    if (local.isPresent()) {
      assertArrayEquals(content, Files.readAllBytes(local.get()));
    }
  }

  @Test
  void list_directChildren_returnsNamesOnly() throws IOException {
    String repo = "docker/registry/v2/repositories/library/alpine/";
    storage.writeSmall(repo + "_manifests/tags/latest/current/link", bytes("x"));
    storage.writeSmall(repo + "_manifests/tags/3.19/current/link", bytes("x"));
    storage.writeSmall(repo + "_layers/sha256/aa/link", bytes("x"));

    assertEquals(List.of("3.19", "latest"), sorted(storage.list(repo + "_manifests/tags/")));
    assertEquals(List.of("_layers", "_manifests"), sorted(storage.list(repo)));
  }

  @Test
  void list_prefixWithoutTrailingSlash_listsTheSameChildren() throws IOException {
    storage.writeSmall("a/b/one", bytes("1"));
    storage.writeSmall("a/b/two", bytes("2"));

    assertEquals(List.of("one", "two"), sorted(storage.list("a/b")));
  }

  @Test
  void list_missingPrefix_isEmpty() throws IOException {
    assertEquals(List.of(), storage.list("docker/registry/v2/repositories/nothing/here/"));
  }

  @Test
  void list_prefixNamingAnObject_isEmpty() throws IOException {
    storage.writeSmall(KEY, bytes("x"));

    assertEquals(List.of(), storage.list(KEY + "/"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "../../etc/passwd", "docker/../../x", "/etc/passwd"})
  void keyEscapingRoot_isRefused(String key) throws IOException {
    assertThrows(IllegalArgumentException.class, () -> storage.writeSmall(key, bytes("x")));
    assertThrows(IllegalArgumentException.class, () -> storage.size(key));
    assertThrows(IllegalArgumentException.class, () -> storage.readSmall(key, 16));
    assertThrows(IllegalArgumentException.class, () -> storage.list(key));
    assertThrows(IllegalArgumentException.class, () -> storage.open(key, 0, 1));
    Path staging = storage.newStagingFile();
    assertThrows(IllegalArgumentException.class, () -> storage.commit(staging, key));
  }

  @Test
  void delete_object_removesOnlyIt() throws IOException {
    String sibling = parentOf(KEY) + "other";
    storage.writeSmall(KEY, bytes("x"));
    storage.writeSmall(sibling, bytes("y"));

    storage.delete(KEY);

    assertEquals(OptionalLong.empty(), storage.size(KEY));
    assertArrayEquals(bytes("y"), storage.readSmall(sibling, 16).orElseThrow());
  }

  @Test
  void delete_prefix_removesEverythingBelowAndNothingBeside() throws IOException {
    String tags = "docker/registry/v2/repositories/lib/app/_manifests/tags/";
    storage.writeSmall(tags + "1.0/current/link", bytes("a"));
    storage.writeSmall(tags + "1.0/index/sha256/ab/link", bytes("b"));
    storage.writeSmall(tags + "1.00/current/link", bytes("c"));

    storage.delete(tags + "1.0/");

    assertEquals(List.of("1.00"), storage.list(tags));
    assertEquals(OptionalLong.empty(), storage.size(tags + "1.0/current/link"));
    assertEquals(OptionalLong.of(1), storage.size(tags + "1.00/current/link"));
  }

  @Test
  void walk_prefix_listsEveryObjectBelowWithSize() throws IOException {
    storage.writeSmall("docker/registry/v2/repositories/a/b/_layers/sha256/ab/link", bytes("12345"));
    storage.writeSmall("docker/registry/v2/repositories/a/_manifests/x", bytes("1"));
    storage.writeSmall("docker/registry/v2/blobs/sha256/ab/ab/data", bytes("12"));

    List<Storage.Entry> entries = storage.walk("docker/registry/v2/repositories/");

    assertEquals(List.of(
        new Storage.Entry("docker/registry/v2/repositories/a/_manifests/x", 1),
        new Storage.Entry("docker/registry/v2/repositories/a/b/_layers/sha256/ab/link", 5)),
        entries.stream().sorted(java.util.Comparator.comparing(Storage.Entry::key)).toList());
    assertEquals(List.of(), storage.walk("docker/registry/v2/nothing/"));
  }

  @Test
  void delete_missing_isNoError() throws IOException {
    storage.delete(KEY);
    storage.delete("docker/registry/v2/repositories/none/");

    assertEquals(OptionalLong.empty(), storage.size(KEY));
  }

  @Test
  void delete_lastObjectOfADirectory_leavesNoEmptyListing() throws IOException {
    storage.writeSmall(KEY, bytes("x"));

    storage.delete(KEY);

    assertEquals(List.of(), storage.list("docker/registry/v2/blobs/sha256/ab/"));
  }

  @Test
  void tryLock_heldByOne_refusedToAnother_freeAgainWhenClosed() throws Exception {
    Storage other = sameStorageAgain();
    Storage.Lock held = storage.tryLock("eviction").orElseThrow();
    assertTrue(held.held(), "a lock just taken is held");

    assertEquals(Optional.empty(), other.tryLock("eviction"), "a second holder while the first holds it");
    assertTrue(other.tryLock("another").isPresent(), "other names are other locks");
    held.close();
    assertFalse(held.held(), "a closed lock is not held");
    Storage.Lock again = other.tryLock("eviction").orElseThrow();
    again.close();
  }

  @Test
  void check_readyStorage_passes() throws IOException {
    storage.check();
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String parentOf(String key) {
    return key.substring(0, key.lastIndexOf('/') + 1);
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }
}
