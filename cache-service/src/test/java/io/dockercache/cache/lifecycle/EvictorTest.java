package io.dockercache.cache.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.metrics.CacheMetrics.EvictionReason;
import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.filesystem.FilesystemStorage;
import io.dockercache.common.Digest;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole eviction runs (scan, plan, removal) over a real filesystem store in the registry layout,
 * with a clock the test moves: what goes, what stays, and that the layout stays whole.
 */
class EvictorTest {

  private static final int KIB = 1024;

  @TempDir
  Path root;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private FilesystemStorage storage;
  private StoreFixture store;
  private AccessLog access;

  @BeforeEach
  void setUp() throws IOException {
    storage = new FilesystemStorage(root);
    storage.prepare();
    store = new StoreFixture(storage);
    access = new AccessLog(clock::get);
  }

  @Test
  void overCap_leastRecentlyUsedImageGoes_sharedLayerAndRecentImagesStay() throws IOException {
    Digest shared = store.blob("shared", 2 * KIB);
    Digest[] a = {store.blob("a-config", KIB), shared, store.blob("a-layer", 18 * KIB)};
    Digest[] b = {store.blob("b-config", KIB), shared, store.blob("b-layer", 18 * KIB)};
    Digest[] c = {store.blob("c-config", KIB), store.blob("c-layer", 20 * KIB)};
    Digest ma = store.image("library/a", "1", a);
    Digest mb = store.image("library/b", "1", b);
    Digest mc = store.image("library/c", "1", c);
    pull(ma, 1);
    pull(mb, 2);
    pull(mc, 3);

    Evictor.Outcome outcome = run(50 * KIB, 0, 0);

    assertTrue(outcome.storedAfter() <= 50 * KIB, "stored after: " + outcome.storedAfter());
    assertFalse(store.hasTag("library/a", "1"));
    assertFalse(store.hasRevision("library/a", ma));
    assertFalse(store.has(ma) || store.has(a[0]) || store.has(a[2]), "a's own blobs are gone");
    assertFalse(store.linked("library/a", shared) || store.linked("library/a", a[2]));
    assertTrue(store.has(shared) && store.linked("library/b", shared), "the shared layer stays for b");
    for (Digest d : new Digest[] {mb, mc, b[0], b[2], c[0], c[1]}) {
      assertTrue(store.has(d), "kept: " + d);
    }
    assertTrue(store.hasTag("library/b", "1") && store.hasTag("library/c", "1"));
    assertEquals(1, outcome.revisions());
    assertEquals(3L, outcome.blobs().get(EvictionReason.SIZE), "a's manifest, config and own layer");
    assertEquals(storedBytes(), outcome.storedAfter(), "the count matches the bytes on disk");
  }

  @Test
  void removalListener_isToldOfEachRevisionWithItsTags_andEachBlob_afterTheyLeftStorage()
      throws IOException {
    Digest[] a = {store.blob("a-config", KIB), store.blob("a-layer", 18 * KIB)};
    Digest ma = store.image("library/a", "1", a);
    Digest mb = store.image("library/b", "1", store.blob("b-config", KIB), store.blob("b-layer", 4 * KIB));
    pull(ma, 1);
    pull(mb, 2);
    java.util.List<String> told = new java.util.ArrayList<>();
    RemovalListener listener = new RemovalListener() {
      @Override
      public void revisionRemoved(io.dockercache.common.RepositoryName repository, Digest manifest,
          java.util.List<io.dockercache.common.Tag> tags) {
        told.add("revision " + repository + "@" + manifest + " " + tags + " stored=" + stored(() -> store.hasRevision(repository.value(), manifest)));
      }

      @Override
      public void blobRemoved(Digest digest) {
        told.add("blob " + digest + " stored=" + stored(() -> store.has(digest)));
      }
    };

    new Evictor(storage, access, d -> true, listener).run(new EvictionPolicy.Limits(10 * KIB, 0, 0, 0));

    assertEquals(java.util.List.of(
        "revision library/a@" + ma + " [1] stored=false",
        "blob " + ma + " stored=false"), told.stream().filter(t -> t.contains(ma.toString())).toList());
    assertTrue(told.contains("blob " + a[1] + " stored=false"), told::toString);
    assertFalse(told.stream().anyMatch(t -> t.contains(mb.toString())), "b stays: " + told);
  }

  private interface StoreCheck {
    boolean check() throws IOException;
  }

  private static boolean stored(StoreCheck check) {
    try {
      return check.check();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void manifestPullsAlone_keepLayersPastMaxIdle_untouchedImageGoes() throws IOException {
    Digest[] kept = {store.blob("k-config", KIB), store.blob("k-layer", 4 * KIB)};
    Digest[] idle = {store.blob("i-config", KIB), store.blob("i-layer", 4 * KIB)};
    Digest mk = store.image("library/kept", "1", kept);
    Digest mi = store.image("library/idle", "1", idle);
    pull(mk, 0);
    pull(mi, 0);
    // Only the manifest of "kept" is asked for from then on: its layers are used through it.
    for (int i = 1; i <= 5; i++) {
      clock.addAndGet(1500);
      access.manifestUsed(mk, null);
    }

    Evictor.Outcome outcome = run(0, 0, 6000);

    assertTrue(store.has(kept[0]) && store.has(kept[1]) && store.hasTag("library/kept", "1"));
    assertFalse(store.has(idle[0]) || store.has(idle[1]) || store.has(mi));
    assertFalse(store.hasTag("library/idle", "1"));
    assertEquals(3L, outcome.blobs().get(EvictionReason.IDLE));
  }

  @Test
  void withinGrace_nothingGoesEvenOverTheCap() throws IOException {
    Digest m = store.image("library/a", "1", store.blob("c", KIB), store.blob("l", 40 * KIB));
    pull(m, 0);

    Evictor.Outcome outcome = new Evictor(storage, access)
        .run(new EvictionPolicy.Limits(10 * KIB, 0, 0, 60_000));

    assertEquals(0, outcome.revisions());
    assertTrue(store.has(m) && store.hasTag("library/a", "1"));
  }

  @Test
  void imageLargerThanTheCap_doesNotFlushTheRest_andIsTheFirstToGoOnceItsGraceHasPassed()
      throws IOException {
    Digest small1 = store.image("library/s1", "1", store.blob("c1", KIB), store.blob("l1", 4 * KIB));
    Digest small2 = store.image("library/s2", "1", store.blob("c2", KIB), store.blob("l2", 4 * KIB));
    Digest huge = store.image("library/huge", "1", store.blob("ch", KIB), store.blob("lh", 40 * KIB));
    pull(small1, 0);
    pull(small2, 10);
    pull(huge, 100);
    EvictionPolicy.Limits limits = new EvictionPolicy.Limits(30 * KIB, 0, 0, 30_000);

    new Evictor(storage, access).run(limits);
    assertTrue(store.has(small1) && store.has(small2) && store.has(huge),
        "the huge image is within its grace; removing the small ones would not reach the cap");

    clock.addAndGet(60_000);
    new Evictor(storage, access).run(limits);
    assertFalse(store.has(huge), "the image larger than the cap goes first");
    assertTrue(store.has(small1) && store.has(small2), "and nothing else had to");
  }

  @Test
  void blobBeingServed_staysWhileItsImageGoes() throws IOException {
    Digest layer = store.blob("l", 8 * KIB);
    Digest other = store.blob("m", 10 * KIB);
    Digest m = store.image("library/a", "1", store.blob("c", KIB), layer, other);
    pull(m, 0);
    Runnable done = access.serving(layer);

    run(12 * KIB, 0, 0);

    assertFalse(store.hasRevision("library/a", m));
    assertFalse(store.has(other));
    assertTrue(store.has(layer), "a blob being sent is never removed");
    done.run();
    clock.addAndGet(1);
    run(4 * KIB, 0, 0);
    assertFalse(store.has(layer), "once sent, the unreferenced layer goes");
  }

  @Test
  void index_usedThroughItsTag_keepsChildrenAndLayers_andGoesWhole() throws IOException {
    Digest l1 = store.blob("l1", 8 * KIB);
    Digest l2 = store.blob("l2", 8 * KIB);
    Digest amd = store.image("library/multi", null, store.blob("c1", KIB), l1);
    Digest arm = store.image("library/multi", null, store.blob("c2", KIB), l2);
    Digest index = store.index("library/multi", "latest", amd, arm);
    Digest other = store.image("library/other", "1", store.blob("c3", KIB), store.blob("l3", 8 * KIB));
    pull(amd, 0);
    pull(arm, 0);
    pull(other, 1);
    pull(index, 2);

    run(0, 0, 0);
    assertTrue(store.has(l1) && store.has(l2), "nothing is over a limit");

    run(20 * KIB, 0, 0);
    assertTrue(store.has(index) && store.has(amd) && store.has(arm) && store.has(l1) && store.has(l2),
        "the index was used last, so the other image went first");
    assertFalse(store.has(other));

    clock.addAndGet(1);
    run(KIB, 0, 0);
    assertFalse(store.has(index) || store.has(amd) || store.has(arm) || store.has(l1) || store.has(l2));
    assertFalse(store.hasTag("library/multi", "latest"));
  }

  @Test
  void blobSharedAcrossRepositories_losesOnlyTheEvictedRepositorysLink() throws IOException {
    Digest layer = store.blob("l", 8 * KIB);
    Digest ma = store.image("team/a", "1", store.blob("ca", KIB), layer);
    Digest mb = store.image("team/b", "1", store.blob("cb", KIB), layer);
    pull(ma, 0);
    pull(mb, 5);

    run(10 * KIB, 0, 0);

    assertFalse(store.hasRevision("team/a", ma));
    assertFalse(store.linked("team/a", layer), "a no longer needs the layer");
    assertTrue(store.has(layer) && store.linked("team/b", layer));
  }

  @Test
  void freeSpaceWanted_removesLeastRecentUntilThatMuchIsFreed() throws IOException {
    Digest m1 = store.image("library/one", "1", store.blob("c1", KIB), store.blob("l1", 10 * KIB));
    Digest m2 = store.image("library/two", "1", store.blob("c2", KIB), store.blob("l2", 10 * KIB));
    pull(m1, 0);
    pull(m2, 1);

    Evictor.Outcome outcome = new Evictor(storage, access)
        .run(new EvictionPolicy.Limits(0, 5 * KIB, 0, 0));

    assertFalse(store.has(m1));
    assertTrue(store.has(m2));
    assertTrue(outcome.removedBytes() >= 5 * KIB);
    assertEquals(3L, outcome.blobs().get(EvictionReason.FREE_SPACE));
  }

  @Test
  void orphanBlob_goesWhenIdle_unknownContentCountsAsUsedAtStart() throws IOException {
    Digest orphan = store.blob("orphan", KIB);
    Digest fresh = store.blob("fresh", KIB);
    clock.addAndGet(10_000);
    access.blobUsed(fresh);

    run(0, 0, 5_000);

    assertFalse(store.has(orphan), "never used since start, 10 s ago, past a 5 s idle limit");
    assertTrue(store.has(fresh));
  }

  @Test
  void usedBetweenPlanAndRemoval_stays() throws IOException {
    Digest layer = store.blob("l", 20 * KIB);
    Digest m = store.image("library/a", "1", store.blob("c", KIB), layer);
    pull(m, 0);
    long plannedAt = access.now() + 1;
    StoreIndex index = new StoreScan(storage, access).scan();
    EvictionPlan plan = EvictionPolicy.plan(index, access::lastUse, access::isServing, plannedAt + 10,
        new EvictionPolicy.Limits(KIB, 0, 0, 0));
    assertFalse(plan.isEmpty());
    clock.set(plannedAt + 5);
    access.manifestUsed(m, null);

    Evictor.Outcome outcome = new Evictor(storage, access).execute(plan, plannedAt, index.totalBytes());

    assertEquals(0, outcome.revisions());
    assertTrue(store.has(layer) && store.hasTag("library/a", "1") && store.linked("library/a", layer));
  }

  /** A pull of the image at {@code seconds} past the start: the manifest with its bytes. */
  private void pull(Digest manifest, int seconds) throws IOException {
    clock.set(1_000_000 + seconds * 1000L);
    byte[] body = storage.readSmall(RegistryLayout.blobData(manifest), 1 << 20).orElseThrow();
    access.manifestUsed(manifest, Buffer.buffer(body));
  }

  private Evictor.Outcome run(long cap, long free, long idleMillis) throws IOException {
    clock.addAndGet(1);
    return new Evictor(storage, access).run(new EvictionPolicy.Limits(cap, free, idleMillis, 0));
  }

  private long storedBytes() throws IOException {
    return storage.walk("docker/registry/v2/blobs/").stream().mapToLong(e -> e.size()).sum();
  }
}
