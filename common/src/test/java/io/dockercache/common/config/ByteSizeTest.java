package io.dockercache.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

  @ParameterizedTest
  @CsvSource({
      "0, 0",
      "1234, 1234",
      "10B, 10",
      "512MiB, 536870912",
      "512 mib, 536870912",
      "200GiB, 214748364800",
      "1TB, 1000000000000",
      "3kb, 3000",
      "2KiB, 2048",
      "1TiB, 1099511627776",
  })
  void parse_validSize_bytes(String input, long bytes) {
    assertEquals(bytes, ByteSize.parse(input).bytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-1", "1.5GiB", "GiB", "10 parsecs", "10PB", "99999999999TiB",
      "123456789012345678901234567890123"})
  void parse_invalid_throwsNamingWhatIsAllowed(String input) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(input));

    assertTrue(e.getMessage().contains("\"" + input + "\""), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"20%, 1000, 200", "0, 1000, 0", "12.5%, 1000, 125", "100B, 1000, 100", "1KiB, 100000, 1024"})
  void freeSpace_of_total(String input, long total, long keep) {
    assertEquals(keep, FreeSpace.parse(input).of(total));
  }

  @ParameterizedTest
  @ValueSource(strings = {"101%", "%", "-5%", "1.2.3%", "lots"})
  void freeSpace_invalid_throws(String input) {
    assertThrows(IllegalArgumentException.class, () -> FreeSpace.parse(input));
  }
}
