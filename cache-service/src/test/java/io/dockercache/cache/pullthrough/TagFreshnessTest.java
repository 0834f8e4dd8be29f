package io.dockercache.cache.pullthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.common.Digest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagFreshnessTest {

  private static final String TAG = "library/alpine:latest";
  private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
  private static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));

  /** A nano clock the test moves by hand. */
  private long now = 1_000_000_000L;

  private TagFreshness<String> freshness(Duration ttl) {
    return new TagFreshness<>(ttl, () -> now);
  }

  @Test
  void isFresh_neverConfirmed_isFalse() {
    assertFalse(freshness(Duration.ofSeconds(60)).isFresh(TAG, D1));
  }

  @ParameterizedTest(name = "ttl {0}s, {1} ns after confirm -> fresh {2}")
  @CsvSource({
      "60, 0,              true",
      "60, 59999999999,    true",
      "60, 60000000000,    false",
      "60, 60000000001,    false",
      "60, 3600000000000,  false",
      "1,  999999999,      true",
      "1,  1000000000,     false",
  })
  void isFresh_afterConfirm_followsTtl(long ttlSeconds, long elapsedNanos, boolean fresh) {
    TagFreshness<String> f = freshness(Duration.ofSeconds(ttlSeconds));
    f.confirm(TAG, D1);

    now += elapsedNanos;

    assertEquals(fresh, f.isFresh(TAG, D1));
  }

  @Test
  void isFresh_zeroTtl_isNeverFresh() {
    TagFreshness<String> f = freshness(Duration.ZERO);
    f.confirm(TAG, D1);

    assertFalse(f.isFresh(TAG, D1));
  }

  @Test
  void confirm_again_restartsTtl() {
    TagFreshness<String> f = freshness(Duration.ofSeconds(60));
    f.confirm(TAG, D1);
    now += Duration.ofSeconds(50).toNanos();
    f.confirm(TAG, D1);

    now += Duration.ofSeconds(50).toNanos();

    assertTrue(f.isFresh(TAG, D1));
  }

  @Test
  void confirm_oneTag_leavesOthersUnconfirmed() {
    TagFreshness<String> f = freshness(Duration.ofSeconds(60));

    f.confirm(TAG, D1);

    assertFalse(f.isFresh("library/alpine:edge", D1));
    assertFalse(f.isFresh("other/alpine:latest", D1));
  }

  @Test
  void isFresh_acrossNanoClockWraparound_comparesElapsedTime() {
    // System.nanoTime() may be any value, even close to overflow; only differences mean anything.
    now = Long.MAX_VALUE - 5;
    TagFreshness<String> f = freshness(Duration.ofSeconds(60));
    f.confirm(TAG, D1);

    now += 10; // wraps to a negative value, 10 ns later

    assertTrue(f.isFresh(TAG, D1));
  }

  @Test
  void isFresh_upstreamConfirmedAnotherDigest_isFalseUntilTheLinkNamesIt() {
    // The HEAD saw D2, the GET of D2 failed: the link still names D1, which is not fresh.
    TagFreshness<String> f = freshness(Duration.ofSeconds(60));
    f.confirm(TAG, D2);

    assertFalse(f.isFresh(TAG, D1));
    assertTrue(f.isFresh(TAG, D2));
  }

  @Test
  void confirm_anotherDigest_replacesTheEarlierOne() {
    TagFreshness<String> f = freshness(Duration.ofSeconds(60));
    f.confirm(TAG, D1);

    f.confirm(TAG, D2);

    assertFalse(f.isFresh(TAG, D1));
  }
}
