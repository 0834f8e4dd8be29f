package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pure decisions on URLs and address strings: nothing here opens a connection. */
class RedirectPolicyTest {

  @ParameterizedTest(name = "{0}: {1} -> {2} (hop {3})")
  @CsvSource({
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a/blobs/x, https://production.cloudflare.docker.com/b?sig=1, 1, https://production.cloudflare.docker.com/b?sig=1",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a/blobs/x, /v2/a/blobs/y,                   1, https://registry-1.docker.io/v2/a/blobs/y",
      "https://registry-1.docker.io, https://cdn.example.com/a,                 https://cdn2.example.com/b,       5, https://cdn2.example.com/b",
      "https://registry-1.docker.io, https://cdn.example.com/a,                 HTTPS://cdn2.example.com/b,       2, HTTPS://cdn2.example.com/b",
      "http://registry.internal:5000, http://registry.internal:5000/v2/a,       http://cdn.internal/b,            1, http://cdn.internal/b",
      "http://registry.internal:5000, http://registry.internal:5000/v2/a,       https://cdn.internal/b,           1, https://cdn.internal/b",
      "https://registry.example.com,  https://registry.example.com/v2/a,        https://93.184.216.34/b,          1, https://93.184.216.34/b",
      "https://registry.example.com,  https://registry.example.com/v2/a,        https://10.1.2.3:8443/b,          1, https://10.1.2.3:8443/b",
      "https://registry.example.com,  https://registry.example.com/v2/a,        https://[2001:db8::1]/b,          1, https://[2001:db8::1]/b",
      "http://127.0.0.1:5001,         http://127.0.0.1:5001/v2/a,               http://127.0.0.1:9999/b,          1, http://127.0.0.1:9999/b",
      "http://localhost:5000,         http://localhost:5000/v2/a,               http://[::1]:5001/b,              1, http://[::1]:5001/b",
      "http://169.254.10.10:5000,     http://169.254.10.10:5000/v2/a,           http://169.254.10.10:5000/b,      1, http://169.254.10.10:5000/b",
  })
  void next_allowedTarget_returnsIt(String upstream, String from, String location, int hop,
      String expected) {
    RedirectPolicy policy = RedirectPolicy.of(URI.create(upstream));

    assertEquals(URI.create(expected), policy.next(URI.create(from), location, hop));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2} (hop {3}) refused: {4}")
  @CsvSource({
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://cdn.example.com/b,     6, more than 5 redirects",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, ftp://cdn.example.com/b,       1, scheme ftp is not http(s)",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, file:///etc/passwd,           1, scheme file is not http(s)",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, gopher://cdn.example.com/b,    1, scheme gopher is not http(s)",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, jar:http://cdn.example.com!/, 1, scheme jar is not http(s)",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, http://cdn.example.com/b,      1, https to http downgrade",
      "https://registry-1.docker.io, https://cdn.example.com/a,         http://cdn.example.com/b,      3, https to http downgrade",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, http://registry-1.docker.io/b, 1, https to http downgrade",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://127.0.0.1/b,          1, loopback address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://127.1.2.3:9000/b,     1, loopback address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://[::1]:9000/b,         1, loopback address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://[::ffff:127.0.0.1]/b, 1, loopback address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://localhost:9000/b,     1, loopback address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://LOCALHOST./b,         1, loopback address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://metrics.localhost/b,  1, loopback address",
      "http://10.0.0.1:5000,         http://10.0.0.1:5000/v2/a,         http://169.254.169.254/latest, 1, link-local address",
      "http://10.0.0.1:5000,         http://10.0.0.1:5000/v2/a,         http://[::ffff:169.254.169.254]/latest, 1, link-local address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://[fe80::1]/b,          1, link-local address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://0.0.0.0:9000/b,       1, unspecified address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://0.1.2.3/b,            1, unspecified address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://[::]:9000/b,          1, unspecified address",
      "http://127.0.0.1:5001,        http://127.0.0.1:5001/v2/a,        http://169.254.169.254/b,      1, link-local address",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https:///b,                   1, names no host",
      "https://registry-1.docker.io, https://registry-1.docker.io/v2/a, https://cdn example/b,        1, not a URL",
  })
  void next_refusedTarget_throwsNamingTheReason(String upstream, String from, String location,
      int hop, String reason) {
    RedirectPolicy policy = RedirectPolicy.of(URI.create(upstream));

    UpstreamException e = assertThrows(UpstreamException.class,
        () -> policy.next(URI.create(from), location, hop));

    assertTrue(e.getMessage().contains("refused: ") && e.getMessage().contains(reason),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}: {1} reached {2}")
  @CsvSource({
      "https://registry-1.docker.io, https://cdn.example.com/b,        93.184.216.34",
      "https://registry-1.docker.io, https://cdn.example.com/b,        10.1.2.3",
      "https://registry-1.docker.io, https://cdn.example.com/b,        2001:db8:0:0:0:0:0:1",
      "https://registry-1.docker.io, https://registry-1.docker.io/b,   127.0.0.1",
      "http://127.0.0.1:5001,        http://cdn.test:5002/b,           127.0.0.1",
      "http://localhost:5000,        http://cdn.test:5002/b,           0:0:0:0:0:0:0:1",
  })
  void checkPeer_allowedAddress_passes(String upstream, String target, String peer) {
    RedirectPolicy policy = RedirectPolicy.of(URI.create(upstream));

    assertDoesNotThrow(() -> policy.checkPeer(URI.create(target), peer));
  }

  @ParameterizedTest(name = "{0}: {1} reached {2}")
  @CsvSource(nullValues = "null", value = {
      "https://registry-1.docker.io, https://cdn.example.com/b, 127.0.0.1,                  loopback address",
      "https://registry-1.docker.io, https://cdn.example.com/b, 127.8.9.10,                 loopback address",
      "https://registry-1.docker.io, https://cdn.example.com/b, 0:0:0:0:0:0:0:1,            loopback address",
      "https://registry-1.docker.io, https://cdn.example.com/b, 169.254.169.254,            link-local address",
      "https://registry-1.docker.io, https://cdn.example.com/b, fe80:0:0:0:0:0:0:1%eth0,    link-local address",
      "https://registry-1.docker.io, https://cdn.example.com/b, 0.0.0.0,                    unspecified address",
      "https://registry-1.docker.io, https://cdn.example.com/b, 0:0:0:0:0:0:0:0,            unspecified address",
      "http://127.0.0.1:5001,        http://cdn.test:5002/b,    169.254.169.254,            link-local address",
      "https://registry-1.docker.io, https://cdn.example.com/b, null,                       cannot tell which address",
      "https://registry-1.docker.io, https://cdn.example.com/b, not-an-ip,                  cannot tell which address",
  })
  void checkPeer_refusedAddress_throwsNamingTheReason(String upstream, String target, String peer,
      String reason) {
    RedirectPolicy policy = RedirectPolicy.of(URI.create(upstream));

    UpstreamException e = assertThrows(UpstreamException.class,
        () -> policy.checkPeer(URI.create(target), peer));

    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
