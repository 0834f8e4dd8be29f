package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RealmPolicyTest {

  @ParameterizedTest(name = "{0} allows {1}")
  @CsvSource({
      "https://registry-1.docker.io,   https://auth.docker.io/token",
      "https://registry-1.docker.io,   https://AUTH.Docker.IO/token?x=1",
      "https://registry-1.docker.io,   HTTPS://auth.docker.io/token",
      "https://registry-1.docker.io,   https://registry-1.docker.io/token",
      "https://docker.io,              https://auth.docker.io/token",
      "https://ghcr.io,                https://ghcr.io/token",
      "https://quay.example.com,       https://auth.example.com/token",
      "https://registry.gitlab.com,    https://gitlab.com/jwt/auth",
      "https://registry.example.co.uk, https://auth.example.co.uk/token",
      "https://myreg.azurecr.io,       https://myreg.azurecr.io/oauth2/token",
      "https://team.github.io,         https://auth.team.github.io/token",
      "http://registry.example.com,    http://auth.example.com/token",
      "http://127.0.0.1:5001,          http://127.0.0.1:5001/token",
      "http://127.0.0.1:5001,          http://127.0.0.1:9999/token",
      "http://registry.local:5000,     https://registry.local:8443/auth",
      "http://localhost:5000,          http://localhost:5001/auth",
      "http://[::1]:5000,              http://[::1]:5001/auth",
  })
  void check_sameHostOrRegistrableDomain_accepts(String upstream, String realm) {
    RealmPolicy policy = new RealmPolicy(URI.create(upstream));

    assertEquals(URI.create(realm), policy.check(realm));
  }

  @ParameterizedTest(name = "{0} refuses {1}")
  @CsvSource({
      "https://registry-1.docker.io,   https://auth.evil.com/token",
      "https://registry-1.docker.io,   https://docker.io.evil.com/token",
      "https://registry-1.docker.io,   https://evildocker.io/token",
      "https://registry-1.docker.io,   https://auth.docker.io@evil.com/token",
      "https://registry-1.docker.io,   https://169.254.169.254/latest/meta-data",
      "https://registry-1.docker.io,   file:///etc/passwd",
      "https://registry-1.docker.io,   ftp://auth.docker.io/token",
      "https://registry-1.docker.io,   gopher://auth.docker.io/token",
      "https://registry-1.docker.io,   //auth.docker.io/token",
      "https://registry-1.docker.io,   /token",
      "https://registry-1.docker.io,   not a url",
      "https://registry-1.docker.io,   https:///token",
      "http://127.0.0.1:5001,          http://127.0.0.2:5001/token",
      "http://10.0.0.1:5001,           http://10.0.0.2/token",
      "http://10.0.0.1:5001,           http://localhost:5001/token",
      "http://10.0.0.1:5001,           http://1.0.0.1/token",
      "http://localhost:5000,          http://otherhost:5000/auth",
      "http://[::1]:5000,              http://[::2]:5000/auth",
      // Credentials must not travel in clear text when the upstream itself is https.
      "https://quay.example.com,       http://auth.example.com/token",
      "https://registry-1.docker.io,   http://auth.docker.io/token",
      "https://registry-1.docker.io,   http://registry-1.docker.io/token",
      "https://registry-1.docker.io,   HTTP://auth.docker.io/token",
      "https://127.0.0.1:5001,         http://127.0.0.1:5001/token",
      "https://[::1]:5001,             http://[::1]:5001/token",
      "https://registry.local:5000,    http://registry.local:5000/auth",
      // Another tenant of a shared suffix: the last two labels would match.
      "https://registry.example.co.uk, https://auth.evil.co.uk/token",
      "https://myreg.azurecr.io,       https://evil.azurecr.io/oauth2/token",
      "https://team.github.io,         https://evil.github.io/token",
      "https://a.s3.amazonaws.com,     https://b.s3.amazonaws.com/token",
      "http://registry.local:5000,     http://auth.local/token",
  })
  void check_otherHostOrScheme_refuses(String upstream, String realm) {
    RealmPolicy policy = new RealmPolicy(URI.create(upstream));

    UpstreamException e = assertThrows(UpstreamException.class, () -> policy.check(realm));

    assertTrue(e.getMessage().contains("realm"), e.getMessage());
  }
}
