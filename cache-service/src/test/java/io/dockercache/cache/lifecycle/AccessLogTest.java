package io.dockercache.cache.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.storage.filesystem.FilesystemStorage;
import io.dockercache.common.Digest;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {

  private static final Digest CONFIG = new Digest("sha256", "c".repeat(64));
  private static final Digest LAYER = new Digest("sha256", "1".repeat(64));
  private static final Digest CHILD = new Digest("sha256", "2".repeat(64));
  private static final Digest INDEX = new Digest("sha256", "3".repeat(64));
  private static final Digest MANIFEST = new Digest("sha256", "4".repeat(64));

  private final AtomicLong clock = new AtomicLong(100);
  private final AccessLog log = new AccessLog(clock::get);

  @TempDir
  Path root;

  @Test
  void manifestUsed_touchesItsBlobsAndRemembersTheirSizes() {
    clock.set(500);

    log.manifestUsed(MANIFEST, image());

    assertEquals(500, log.lastUse(MANIFEST));
    assertEquals(500, log.lastUse(CONFIG));
    assertEquals(500, log.lastUse(LAYER));
    assertEquals(OptionalLong.of(1234), log.expectedSize(LAYER));
    assertEquals(100, log.lastUse(INDEX), "unknown content counts as used at start");
  }

  @Test
  void manifestUsedWithoutBody_touchesWhatIsKnownOfIt() {
    log.manifestUsed(MANIFEST, image());
    clock.set(900);

    log.manifestUsed(MANIFEST, null);

    assertEquals(900, log.lastUse(LAYER), "a HEAD of a known manifest is a use of its layers");
  }

  @Test
  void indexUsed_touchesChildrenAndTheirKnownBlobs() {
    log.manifestUsed(CHILD, image());
    clock.set(700);

    log.manifestUsed(INDEX, Buffer.buffer("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" + CHILD
        + "\",\"size\":10}]}"));

    assertEquals(700, log.lastUse(CHILD));
    assertEquals(700, log.lastUse(LAYER));
  }

  @Test
  void serving_untilReleased_releaseTwiceIsHarmless() {
    Runnable first = log.serving(LAYER);
    Runnable second = log.serving(LAYER);

    first.run();
    first.run();
    assertTrue(log.isServing(LAYER), "the second response still runs");
    second.run();
    assertFalse(log.isServing(LAYER));
  }

  @Test
  void records_roundTripThroughStorage_damagedLinesAndFilesIgnored() throws IOException {
    FilesystemStorage storage = new FilesystemStorage(root);
    storage.prepare();
    clock.set(4242);
    log.blobUsed(LAYER);

    AccessRecords.write(storage, log.snapshot());
    Map<Digest, Long> back = AccessRecords.read(storage);

    assertEquals(Map.of(LAYER, 4242L), back);
    Path file = root.resolve(AccessRecords.KEY);
    Files.writeString(file, Files.readString(file) + "zz 12\n" + "1".repeat(64) + " notanumber\n");
    assertEquals(Map.of(LAYER, 4242L), AccessRecords.read(storage), "damaged lines are skipped");
    Files.write(file, new byte[] {0, 1, 2, (byte) 0xff});
    assertEquals(Map.of(), AccessRecords.read(storage), "a damaged file means no records");
    Files.delete(file);
    assertEquals(Map.of(), AccessRecords.read(storage));
  }

  @Test
  void restore_keepsNewerUsesOfThisProcess() {
    clock.set(5000);
    log.blobUsed(LAYER);

    log.restore(Map.of(LAYER, 3000L, CONFIG, 4000L));

    assertEquals(5000, log.lastUse(LAYER));
    assertEquals(4000, log.lastUse(CONFIG));
  }

  @Test
  void parse_schema1AndGarbage() {
    ManifestRefs v1 = ManifestRefs.parse(Buffer.buffer("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\""
        + LAYER + "\"},{\"blobSum\":\"md5:nope\"}]}"));
    assertEquals(1, v1.blobs().size());
    assertEquals(-1, v1.blobs().get(0).size());
    assertEquals(ManifestRefs.NONE, ManifestRefs.parse(Buffer.buffer("not json".getBytes(StandardCharsets.UTF_8))));
    assertEquals(ManifestRefs.NONE, ManifestRefs.parse(Buffer.buffer("[1,2]")));
  }

  private static Buffer image() {
    return Buffer.buffer("{\"schemaVersion\":2,\"config\":{\"digest\":\"" + CONFIG + "\",\"size\":5},"
        + "\"layers\":[{\"digest\":\"" + LAYER + "\",\"size\":1234}]}");
  }
}
