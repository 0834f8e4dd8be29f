package io.dockercache.distributor.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorsTest {

  @Test
  void new_keepsOrder_dropsRepeats_insecureHostsOfHttpOnly() {
    Mirrors mirrors = new Mirrors(List.of(Mirror.of("10.0.0.9:30500"), Mirror.of("https://m.example"),
        Mirror.of("http://10.0.0.9:30500"), Mirror.of("10.0.0.12:30500")));

    assertEquals(List.of("http://10.0.0.9:30500", "https://m.example", "http://10.0.0.12:30500"), mirrors.urls());
    assertEquals(List.of("10.0.0.9:30500", "10.0.0.12:30500"), mirrors.insecureHosts());
    assertEquals("http://10.0.0.9:30500,https://m.example,http://10.0.0.12:30500", mirrors.toString());
  }

  @Test
  void new_empty_throws() {
    assertThrows(IllegalArgumentException.class, () -> new Mirrors(List.of()));
  }
}
