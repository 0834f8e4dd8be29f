package io.dockercache.cache.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link ManifestMemory} holds, within which budget, and what removes it. */
class ManifestMemoryTest {

  private static final RepositoryName NGINX = RepositoryName.parse("library/nginx");
  private static final RepositoryName OTHER = RepositoryName.parse("team/app");
  private static final Tag LATEST = Tag.parse("latest");
  private static final Tag STABLE = Tag.parse("stable");
  private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
  private static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));

  private final ManifestMemory<String> memory = new ManifestMemory<>(1 << 20);

  @Test
  void held_perRepository_notForAnotherRepositoryThatMayNotLinkIt() {
    memory.putManifest(memory.ticket(), NGINX, D1, "m1", 1000);
    memory.putTag(memory.ticket(), NGINX, LATEST, D1);

    assertEquals("m1", memory.manifest(NGINX, D1));
    assertEquals(D1, memory.tag(NGINX, LATEST));
    assertNull(memory.manifest(OTHER, D1), "a repository reads only what it links");
    assertNull(memory.tag(OTHER, LATEST));
  }

  @Test
  void bytes_countTheManifestAndItsOverhead() {
    memory.putManifest(memory.ticket(), NGINX, D1, "m1", 1000);

    assertEquals(1000 + ManifestMemory.MANIFEST_OVERHEAD, memory.bytes());
  }

  @Test
  void budget_manifestsBeyondItEvictTheLeastRecentlyUsed() {
    long each = 10_000;
    ManifestMemory<String> small = new ManifestMemory<>(5 * (each + ManifestMemory.MANIFEST_OVERHEAD));
    for (int i = 0; i < 20; i++) {
      small.putManifest(small.ticket(), NGINX, digest(i), "m" + i, each);
      small.manifest(NGINX, digest(0)); // kept warm throughout
    }

    assertTrue(small.bytes() <= small.capacity(), small.bytes() + " > " + small.capacity());
    assertEquals("m0", small.manifest(NGINX, digest(0)), "the one read all along stays");
    assertEquals("m19", small.manifest(NGINX, digest(19)), "the newest stays");
    assertNull(small.manifest(NGINX, digest(1)), "an old one nobody read went");
  }

  @Test
  void zeroBudget_isOff_holdsNothing() {
    ManifestMemory<String> off = new ManifestMemory<>(0);

    off.putManifest(off.ticket(), NGINX, D1, "m1", 10);
    off.putTag(off.ticket(), NGINX, LATEST, D1);

    assertFalse(off.enabled());
    assertNull(off.manifest(NGINX, D1));
    assertNull(off.tag(NGINX, LATEST));
    assertEquals(0, off.bytes());
  }

  @Test
  void budget_isAtMostAQuarterOfTheHeap() {
    assertEquals(64L << 20, ManifestMemory.budget(64L << 20, 1L << 30));
    assertEquals(25L << 20, ManifestMemory.budget(64L << 20, 100L << 20));
    assertEquals(0, ManifestMemory.budget(0, 1L << 30));
  }

  @Test
  void revisionRemoved_dropsThatRepositorysManifestAndTheTagsNamingIt_only() {
    memory.putManifest(memory.ticket(), NGINX, D1, "m1", 100);
    memory.putManifest(memory.ticket(), OTHER, D1, "m1", 100);
    memory.putManifest(memory.ticket(), NGINX, D2, "m2", 100);
    memory.putTag(memory.ticket(), NGINX, LATEST, D1);
    memory.putTag(memory.ticket(), NGINX, STABLE, D2);
    memory.putTag(memory.ticket(), OTHER, LATEST, D1);

    memory.revisionRemoved(NGINX, D1, List.of(LATEST));

    assertNull(memory.manifest(NGINX, D1));
    assertNull(memory.tag(NGINX, LATEST));
    assertEquals("m1", memory.manifest(OTHER, D1), "another repository's revision stays");
    assertEquals(D1, memory.tag(OTHER, LATEST));
    assertEquals("m2", memory.manifest(NGINX, D2));
    assertEquals(D2, memory.tag(NGINX, STABLE));
  }

  @Test
  void blobRemoved_dropsTheManifestForEveryRepository() {
    memory.putManifest(memory.ticket(), NGINX, D1, "m1", 100);
    memory.putManifest(memory.ticket(), OTHER, D1, "m1", 100);
    memory.putManifest(memory.ticket(), NGINX, D2, "m2", 100);

    memory.blobRemoved(D1);

    assertNull(memory.manifest(NGINX, D1));
    assertNull(memory.manifest(OTHER, D1));
    assertEquals("m2", memory.manifest(NGINX, D2));
    assertEquals(100 + ManifestMemory.MANIFEST_OVERHEAD, memory.bytes());
  }

  @Test
  void putWithATicketTakenBeforeARemoval_isRefused() {
    // A fill read storage, then the lifecycle removed what it read, then the fill puts.
    long ticket = memory.ticket();
    memory.blobRemoved(D2);

    memory.putManifest(ticket, NGINX, D1, "read before the removal", 100);
    memory.putTag(ticket, NGINX, LATEST, D1);

    assertNull(memory.manifest(NGINX, D1));
    assertNull(memory.tag(NGINX, LATEST));
    memory.putManifest(memory.ticket(), NGINX, D1, "read after it", 100);
    assertEquals("read after it", memory.manifest(NGINX, D1));
  }

  @Test
  void entriesStorageGaveOverMaxAgeAgo_missUntilPutAgain() {
    long[] now = {5_000_000_000L};
    ManifestMemory<String> aging = new ManifestMemory<>(1 << 20, java.time.Duration.ofSeconds(60), () -> now[0]);
    aging.putManifest(aging.ticket(), NGINX, D1, "m1", 100);
    aging.putTag(aging.ticket(), NGINX, LATEST, D1);

    now[0] += 59_999_999_999L;
    assertEquals("m1", aging.manifest(NGINX, D1));
    assertEquals(D1, aging.tag(NGINX, LATEST));

    now[0] += 1;
    assertNull(aging.manifest(NGINX, D1), "a minute after storage gave it, storage is asked again");
    assertNull(aging.tag(NGINX, LATEST));

    aging.putManifest(aging.ticket(), NGINX, D1, "m1 again", 100);
    assertEquals("m1 again", aging.manifest(NGINX, D1));
    assertEquals(1, aging.manifestCount(), "put again in place of the aged entry, counted once");
  }

  @Test
  void forget_dropsOneEntry() {
    memory.putManifest(memory.ticket(), NGINX, D1, "m1", 100);
    memory.putTag(memory.ticket(), NGINX, LATEST, D1);

    memory.forgetTag(NGINX, LATEST);
    assertNull(memory.tag(NGINX, LATEST));
    assertEquals("m1", memory.manifest(NGINX, D1));

    memory.forgetManifest(NGINX, D1);
    assertNull(memory.manifest(NGINX, D1));
    assertEquals(0, memory.bytes());
  }

  private static Digest digest(int i) {
    return Digest.parse("sha256:" + String.format("%064x", i));
  }
}
