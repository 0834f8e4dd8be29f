package io.dockercache.cache.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class BasicCredentialsTest {

  @Test
  void parse_basicHeader_userAndPassword() {
    assertEquals(Optional.of(new BasicCredentials("alice", "s3:cr:et")),
        BasicCredentials.parse("Basic " + b64("alice:s3:cr:et")));
  }

  @Test
  void parse_schemeCaseInsensitive_andUnicodePassword() {
    assertEquals(Optional.of(new BasicCredentials("bob", "pässwörd")),
        BasicCredentials.parse("basic   " + b64("bob:pässwörd")));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "Basic", "Basic ", "Bearer abc", "Basic !!!notbase64", "Basic " + "YWxpY2U=",
      "Basic OnBhc3N3b3Jk"})
  void parse_malformed_empty(String header) {
    assertEquals(Optional.empty(), BasicCredentials.parse(header));
  }

  @Test
  void parse_overlongHeader_empty() {
    assertEquals(Optional.empty(), BasicCredentials.parse("Basic " + b64("u:" + "p".repeat(5000))));
  }

  @Test
  void toString_redactsPassword() {
    String s = new BasicCredentials("alice", "hunter2").toString();

    assertFalse(s.contains("hunter2"), s);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
