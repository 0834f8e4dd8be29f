package io.dockercache.cache.upstream;

import java.net.URI;
import java.util.Locale;

/**
 * Decides whether a token realm named by the upstream's {@code WWW-Authenticate} may be called.
 * Without this check a hostile or spoofed upstream could make the cache call any URL (SSRF) and
 * send it our upstream credentials. Docker Hub's realm ({@code auth.docker.io}) shares the
 * registrable domain of its registry ({@code registry-1.docker.io}).
 */
final class RealmPolicy {

  private final String upstreamHost;

  RealmPolicy(URI upstream) {
    this.upstreamHost = upstream.getHost().toLowerCase(Locale.ROOT);
  }

  /** Returns the realm as a URI, or throws naming why it is refused. */
  URI check(String realm) {
    URI uri;
    try {
      uri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw new UpstreamException("token realm " + realm + " is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new UpstreamException("token realm " + realm + " is not http(s)");
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (!host.equals(upstreamHost) && !sameRegistrableDomain(host, upstreamHost)) {
      throw new UpstreamException(
          "token realm host " + host + " is neither " + upstreamHost + " nor in its domain");
    }
    return uri;
  }

  /**
   * An approximation of the registrable domain (the last two labels) without the public suffix
   * list; IP literals and single-label hosts must match exactly.
   */
  static boolean sameRegistrableDomain(String a, String b) {
    if (isIpLiteral(a) || isIpLiteral(b)) {
      return false;
    }
    String da = lastTwoLabels(a);
    String db = lastTwoLabels(b);
    return da != null && da.equals(db);
  }

  private static String lastTwoLabels(String host) {
    int last = host.lastIndexOf('.');
    if (last <= 0) {
      return null;
    }
    int previous = host.lastIndexOf('.', last - 1);
    return host.substring(previous + 1);
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }
}
