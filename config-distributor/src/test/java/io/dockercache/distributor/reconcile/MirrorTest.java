package io.dockercache.distributor.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MirrorTest {

  @ParameterizedTest
  @CsvSource({
      "10.0.0.1:30500, http://10.0.0.1:30500, 10.0.0.1:30500, true",
      "http://10.0.0.1:30500/, http://10.0.0.1:30500, 10.0.0.1:30500, true",
      "https://mirror.example, https://mirror.example, mirror.example, false",
      "' registry.local:5000 ', http://registry.local:5000, registry.local:5000, true"})
  void of_acceptedForms(String host, String url, String hostPort, boolean insecure) {
    Mirror mirror = Mirror.of(host);
    assertEquals(url, mirror.url());
    assertEquals(hostPort, mirror.hostPort());
    assertEquals(insecure, mirror.insecure());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ftp://x:1", "http://x:1/path", "http://u:p@x:1", "x:1?q", "a\"b:1"})
  void of_invalid_throws(String host) {
    assertThrows(IllegalArgumentException.class, () -> Mirror.of(host));
  }
}
