package io.dockercache.cache.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnonymousNetworksTest {

  private final AnonymousNetworks networks =
      AnonymousNetworks.parse(List.of("10.0.0.0/8", " 192.168.1.0/25", "172.16.5.4", "fd00::/8"));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "10.1.2.3, true",
      "11.0.0.1, false",
      "192.168.1.127, true",
      "192.168.1.128, false",
      "172.16.5.4, true",
      "172.16.5.5, false",
      "fd12:3456::1, true",
      "fe80::1, false",
      "::ffff:10.9.9.9, true",
      "not-an-ip, false",
  })
  void contains(String client, boolean expected) {
    assertEquals(expected, networks.contains(client));
  }

  @Test
  void empty_containsNothing() {
    AnonymousNetworks none = AnonymousNetworks.parse(List.of());

    assertTrue(none.isEmpty());
    assertFalse(none.contains("127.0.0.1"));
  }

  @Test
  void zeroPrefix_containsEveryAddressOfThatFamily() {
    assertTrue(AnonymousNetworks.parse(List.of("0.0.0.0/0")).contains("203.0.113.9"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "example.com", "10.1/16", "::1/129",
      "10.0.0.0/8/8"})
  void parse_bad_throwsNamingTheEntry(String bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AnonymousNetworks.parse(List.of("10.0.0.0/8", bad)));

    assertTrue(e.getMessage().contains(bad), e.getMessage());
  }
}
