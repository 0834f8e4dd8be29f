package io.dockercache.cache.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.config.DockerCacheConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Storage in one Azure Blob container, the registry layout's paths as blob names (as the
 * distribution registry's Azure driver names them), so an existing OpenPAI container is served as
 * it is. Bytes are spooled to a local staging file, then uploaded as staged blocks and created with
 * a conditional commit; several replicas may share the container.
 */
public final class AzureStorage implements Storage {

  private static final long BLOCK_SIZE = 8L * 1024 * 1024;
  /** Every read starts with this much heap: 200 concurrent hits hold 25 MiB. */
  private static final int BASE_READ_CHUNK = 128 * 1024;
  private static final int MAX_READ_CHUNK = 4 * 1024 * 1024;
  /**
   * Heap shared by all reads to grow their chunks beyond the base: an eighth of the heap, at most
   * 64 MiB (64 MiB with the shipped 512 MiB heap, 20 MiB with a 160 MiB one).
   */
  private static final long READ_BUDGET = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

  private final ReadBudget readBudget = new ReadBudget(READ_BUDGET);

  private final AzureSettings settings;
  private final BlobContainerClient container;
  private final BlobContainerClient health;
  private final StagingDirectory staging;

  AzureStorage(AzureSettings settings, Path stagingBase) {
    this.settings = settings;
    this.container = ContainerClients.data(settings);
    this.health = ContainerClients.health(settings);
    this.staging = new StagingDirectory(stagingBase);
  }

  /** Builds the backend from the configuration; throws naming the key when a value is wrong. */
  public static AzureStorage create(DockerCacheConfig seed, AzureConfig azure, Path stagingBase) {
    return new AzureStorage(AzureSettings.of(seed, azure), stagingBase);
  }

  /** Where the storage is, for the start-up log (no secrets). */
  public String describe() {
    return "container " + settings.container() + " at " + settings.endpoint()
        + " (staging in " + staging.directory() + ")";
  }

  /**
   * Creates the container when it is missing and sweeps staging files of processes gone.
   * Returns the number of staging files removed.
   */
  public int prepare() throws IOException {
    int removed = staging.prepare();
    AzureCalls.run("create container " + settings.container(), container::createIfNotExists);
    return removed;
  }

  @Override
  public OptionalLong size(String key) throws IOException {
    return properties(key).map(p -> OptionalLong.of(p.getBlobSize())).orElse(OptionalLong.empty());
  }

  @Override
  public Optional<byte[]> readSmall(String key, int maxBytes) throws IOException {
    BlobClient blob = blob(key);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      // One GET for the common case; a range past the limit shows an object that is too large.
      AzureCalls.run("read " + key, () -> blob.downloadStreamWithResponse(out,
          new BlobRange(0, (long) maxBytes + 1), null, null, false, null, Context.NONE));
    } catch (AzureCalls.AzureException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      if (e.status() == 416) {
        return size(key).isPresent() ? Optional.of(new byte[0]) : Optional.empty();
      }
      throw e;
    }
    if (out.size() > maxBytes) {
      throw new IOException(key + " is over the limit of " + maxBytes + " bytes");
    }
    return Optional.of(out.toByteArray());
  }

  @Override
  public void writeSmall(String key, byte[] content) throws IOException {
    BlobClient blob = blob(key);
    // One Put Blob: atomic, readers see the old content or the new. Links and tags may change.
    AzureCalls.run("write " + key, () -> blob.uploadWithResponse(
        new BlobParallelUploadOptions(BinaryData.fromBytes(content)), null, Context.NONE));
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    BlobProperties props = properties(key).orElseThrow(() -> new NoSuchFileException(key));
    if (offset < 0 || length < 0 || offset + length > props.getBlobSize()) {
      throw new IOException("read " + key + ": range " + offset + "+" + length
          + " outside its " + props.getBlobSize() + " bytes");
    }
    return new RangeInputStream(blob(key), props.getETag(), settings.maxTries() - 1, offset, length,
        BASE_READ_CHUNK, MAX_READ_CHUNK, readBudget).prefetch();
  }

  @Override
  public Optional<Path> localFile(String key) {
    return Optional.empty();
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    String dir = directory(prefix);
    ListBlobsOptions options = new ListBlobsOptions().setPrefix(dir);
    return AzureCalls.run("list " + dir, () -> {
      List<String> names = new ArrayList<>();
      for (BlobItem item : container.listBlobsByHierarchy("/", options, null)) {
        String name = item.getName().substring(dir.length());
        names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
      }
      return names;
    });
  }

  @Override
  public List<Entry> walk(String prefix) throws IOException {
    String dir = directory(prefix);
    ListBlobsOptions options = new ListBlobsOptions().setPrefix(dir);
    return AzureCalls.run("list " + dir, () -> {
      List<Entry> entries = new ArrayList<>();
      for (BlobItem item : container.listBlobs(options, null)) {
        entries.add(new Entry(item.getName(), item.getProperties().getContentLength()));
      }
      return entries;
    });
  }

  @Override
  public Path newStagingFile() throws IOException {
    return staging.newFile();
  }

  @Override
  public void commit(Path stagingFile, String key) throws IOException {
    try {
      BlobClient blob = blob(key);
      // Blob keys are content-addressed: when another replica stored it first, that is the blob.
      if (properties(key).isEmpty()) {
        new BlockUpload(blob.getBlockBlobClient(), BLOCK_SIZE).createFrom(stagingFile);
      }
    } finally {
      Files.deleteIfExists(stagingFile);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    if (!key.endsWith("/")) {
      deleteBlob(key);
      return;
    }
    for (Entry entry : walk(key)) {
      deleteBlob(entry.key());
    }
  }

  @Override
  public Optional<Space> space() {
    return Optional.empty();
  }

  @Override
  public long stagingUsable() throws IOException {
    return Files.getFileStore(staging.directory()).getUsableSpace();
  }

  /**
   * A blob lease on {@code docker-cache/<name>.lock}: held for {@link LeaseLock#SECONDS} and
   * renewed while open, so a replica that dies frees it within that time.
   */
  @Override
  public Optional<Lock> tryLock(String name) throws IOException {
    return LeaseLock.tryAcquire(blob("docker-cache/" + name + ".lock"));
  }

  private void deleteBlob(String key) throws IOException {
    BlobClient blob = blob(key);
    try {
      AzureCalls.exec("delete " + key, () -> blob.deleteWithResponse(null, null, null, Context.NONE));
    } catch (AzureCalls.AzureException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
  }

  /** Several replicas share one container. */
  @Override
  public boolean isShared() {
    return true;
  }

  @Override
  public void check() throws IOException {
    AzureCalls.run("check container " + settings.container(), () -> {
      if (!health.existsWithResponse(ContainerClients.healthTimeout(settings), Context.NONE)
          .getValue()) {
        throw new IllegalStateException("the container does not exist");
      }
      return null;
    });
  }

  private Optional<BlobProperties> properties(String key) throws IOException {
    BlobClient blob = blob(key);
    try {
      return Optional.of(AzureCalls.run("get properties of " + key,
          () -> blob.getPropertiesWithResponse(null, null, Context.NONE).getValue()));
    } catch (AzureCalls.AzureException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private BlobClient blob(String key) {
    validate(key);
    return container.getBlobClient(key);
  }

  /** A listing prefix as a "directory" ({@code a/b} → {@code a/b/}), checked like a key. */
  private static String directory(String prefix) {
    String dir = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    validate(dir.isEmpty() ? "x" : dir + "x");
    return dir;
  }

  /** Keys are relative slash paths without empty, "." or ".." segments, as on the filesystem. */
  static void validate(String key) {
    if (key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.length() > 1024) {
      throw new IllegalArgumentException("storage key not allowed: " + key);
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("storage key escapes the root: " + key);
      }
    }
  }
}
