package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;

class RetryAfterTest {

  /** Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's own example date. */
  private static final Instant NOW = Instant.parse("1994-11-06T08:49:37Z");

  @ParameterizedTest(name = "Retry-After: \"{0}\" -> {1} s")
  @CsvSource(delimiter = '|', value = {
      "30                              | 30",
      "' 30 '                          | 30",
      "120                             | 120",
      "0                               | 1",
      "1                               | 1",
      "3600                            | 3600",
      "3601                            | 3600",
      "99999999999999999999999         | 3600",
      "Sun, 06 Nov 1994 08:50:07 GMT   | 30",
      "Sun, 06 Nov 1994 10:49:37 GMT   | 3600",
      "Sun, 06 Nov 1994 08:49:00 GMT   | 1",
      "''                              | 60",
      "-5                              | 60",
      "1.5                             | 60",
      "soon                            | 60",
      "Sunday, 06-Nov-94 08:49:37 GMT  | 60",
  })
  void parse_secondsOrHttpDate_clampedOrDefault(String header, long seconds) {
    assertEquals(Duration.ofSeconds(seconds), RetryAfter.parse(header, NOW));
  }

  @ParameterizedTest
  @NullSource
  void parse_absent_isTheDefault(String header) {
    assertEquals(RetryAfter.DEFAULT, RetryAfter.parse(header, NOW));
  }

  @ParameterizedTest
  @CsvSource({"65", "200"})
  void parse_overlongValue_isNotReadAndIsTheDefault(int length) {
    // 64 digits would be read as "very long" (the cap); past the length bound nothing is read.
    assertEquals(RetryAfter.DEFAULT, RetryAfter.parse("9".repeat(length), NOW));
  }
}
