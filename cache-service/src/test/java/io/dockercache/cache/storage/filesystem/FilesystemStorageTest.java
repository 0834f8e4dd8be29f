package io.dockercache.cache.storage.filesystem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.storage.Storage;
import io.dockercache.cache.storage.StorageContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract over a temporary directory, plus what only the filesystem backend does. */
class FilesystemStorageTest extends StorageContractTest {

  private static final String BLOB = "docker/registry/v2/blobs/sha256/ab/abcdef/data";

  @TempDir
  Path root;

  @Override
  protected Storage newStorage() throws IOException {
    FilesystemStorage fs = new FilesystemStorage(root);
    fs.prepare();
    return fs;
  }

  @Override
  protected Storage sameStorageAgain() {
    return new FilesystemStorage(root);
  }

  @Test
  void writeSmall_storesFileAtKeyUnderRoot() throws IOException {
    storage.writeSmall(BLOB, bytes("content"));

    assertArrayEquals(bytes("content"), Files.readAllBytes(root.resolve(BLOB)));
  }

  @Test
  void localFile_isTheFileAtKeyUnderRoot() {
    assertEquals(root.resolve(BLOB).toAbsolutePath().normalize(),
        storage.localFile(BLOB).orElseThrow());
  }

  @Test
  void commit_existingKey_replacesContent() throws IOException {
    storage.writeSmall(BLOB, bytes("old"));
    Path staging = storage.newStagingFile();
    Files.write(staging, bytes("new!"));

    storage.commit(staging, BLOB);

    assertArrayEquals(bytes("new!"), Files.readAllBytes(root.resolve(BLOB)));
  }

  @Test
  void localFile_afterCommit_holdsCommittedBytes() throws IOException {
    Path staging = storage.newStagingFile();
    Files.write(staging, bytes("zero-copy me"));
    storage.commit(staging, BLOB);

    assertArrayEquals(bytes("zero-copy me"), Files.readAllBytes(storage.localFile(BLOB).orElseThrow()));
  }

  @Test
  void newStagingFile_isUnderOwnStateDirectory_whichRegistryIgnores() throws IOException {
    Path staging = storage.newStagingFile();

    assertEquals(root.resolve("docker-cache/staging").toAbsolutePath().normalize(), staging.getParent());
  }

  @Test
  void readSmall_fileWrittenByRegistry_isRead() throws IOException {
    // registry:2 writes its files directly; an existing volume must be served as it is.
    Files.createDirectories(root.resolve(BLOB).getParent());
    Files.write(root.resolve(BLOB), bytes("from registry:2"));

    assertArrayEquals(bytes("from registry:2"), storage.readSmall(BLOB, 64).orElseThrow());
    assertEquals(OptionalLong.of(15), storage.size(BLOB));
  }

  @Test
  void size_ofDirectory_isEmpty() throws IOException {
    storage.writeSmall(BLOB, bytes("x"));

    assertEquals(OptionalLong.empty(), storage.size("docker/registry/v2/blobs/sha256/ab"));
  }

  @Test
  void commit_failure_removesStagingFile() throws IOException {
    // A file where the key needs a directory makes the commit fail on a real filesystem.
    storage.writeSmall("docker/registry/v2/blobs", bytes("in the way"));
    Path staging = storage.newStagingFile();
    Files.write(staging, bytes("content"));

    assertThrows(IOException.class, () -> storage.commit(staging, BLOB));

    assertFalse(Files.exists(staging), "staging file left behind after a failed commit");
    assertEquals(OptionalLong.empty(), storage.size(BLOB));
  }

  @Test
  void prepare_freshRoot_createsItAndSweepsNothing() throws IOException {
    Path fresh = root.resolve("not/yet/there");
    FilesystemStorage fs = new FilesystemStorage(fresh);

    assertEquals(0, fs.prepare());

    assertTrue(Files.isDirectory(fresh.resolve("docker-cache/staging")));
    fs.check();
  }

  @Test
  void prepare_leftoverStagingFiles_removesThemAndReturnsCount() throws IOException {
    Path a = storage.newStagingFile();
    Path b = storage.newStagingFile();
    Path c = storage.newStagingFile();
    Files.write(b, bytes("half a download"));

    int swept = new FilesystemStorage(root).prepare();

    assertEquals(3, swept);
    assertFalse(Files.exists(a));
    assertFalse(Files.exists(b));
    assertFalse(Files.exists(c));
    assertEquals(List.of(), entries(root.resolve("docker-cache/staging")));
  }

  @Test
  void prepare_keepsCommittedContent() throws IOException {
    storage.writeSmall(BLOB, bytes("keep me"));
    storage.newStagingFile();

    new FilesystemStorage(root).prepare();

    assertArrayEquals(bytes("keep me"), storage.readSmall(BLOB, 64).orElseThrow());
  }

  @Test
  void check_beforePrepare_throws() {
    FilesystemStorage fs = new FilesystemStorage(root.resolve("never-prepared"));

    assertThrows(IOException.class, fs::check);
  }

  @Test
  void check_stagingDirectoryRemoved_throws() throws IOException {
    Files.delete(root.resolve("docker-cache/staging"));

    assertThrows(IOException.class, storage::check);
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void space_reportsTheFilesystemOfTheRoot() throws IOException {
    Storage.Space space = storage.space().orElseThrow();

    assertTrue(space.total() > 0, "total " + space.total());
    assertTrue(space.usable() >= 0 && space.usable() <= space.total(), space.toString());
  }
}
