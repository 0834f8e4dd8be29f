package io.dockercache.cache.upstream;

import java.net.URI;
import java.util.Locale;

/**
 * Where a redirect from the upstream may lead. Registries send blob GETs to a CDN, so redirects
 * are followed; but a hostile or spoofed upstream writes the {@code Location}, and what we fetch
 * there reaches a client. Unchecked, it could make the cache read its own side of the network
 * (SSRF): the metadata service on 169.254.169.254, the management port on 127.0.0.1.
 *
 * <p>Checked twice: {@link #next} on the URL before any connection (scheme, hop count, downgrade,
 * IP literals and {@code localhost}), {@link #checkPeer} on the address the connection reached, so
 * a host name that resolves (or rebinds) to a refused address is caught too. The upstream's own
 * host is exempt from the address rule: it is what the operator configured. A target is never
 * remembered: every request starts at the upstream and every hop is checked again.
 *
 * @param upstream the configured upstream URL
 * @param loopbackUpstream whether the upstream itself is on this machine (tests, a sidecar): then
 *     loopback targets are allowed
 */
record RedirectPolicy(URI upstream, boolean loopbackUpstream) {

  static final int MAX_HOPS = 5;

  static RedirectPolicy of(URI upstream) {
    return new RedirectPolicy(upstream, AddressScope.ofHost(upstream.getHost()) == AddressScope.LOOPBACK);
  }

  /**
   * The URL to follow when {@code from} answered with {@code location}; {@code hop} counts the
   * redirects of this request including this one. Throws naming the reason when refused.
   */
  URI next(URI from, String location, int hop) {
    if (hop > MAX_HOPS) {
      throw refused(from, null, "more than " + MAX_HOPS + " redirects");
    }
    URI target;
    try {
      target = from.resolve(location);
    } catch (IllegalArgumentException e) {
      throw refused(from, null, "Location is not a URL");
    }
    String scheme = lower(target.getScheme());
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw refused(from, null, "scheme " + (scheme.isEmpty() ? "(none)" : scheme) + " is not http(s)");
    }
    if (lower(from.getScheme()).equals("https") && scheme.equals("http")) {
      throw refused(from, target, "https to http downgrade");
    }
    if (target.getHost() == null || target.getHost().isEmpty()) {
      throw refused(from, null, "Location names no host");
    }
    checkScope(from, target, AddressScope.ofHost(target.getHost()));
    return target;
  }

  /**
   * Checks the address a connection to {@code target} reached ({@code peer}, as Vert.x's
   * {@code SocketAddress.hostAddress()} gives it) before a byte of the request is sent.
   */
  void checkPeer(URI target, String peer) {
    if (isUpstreamHost(target)) {
      return;
    }
    AddressScope scope = AddressScope.ofPeer(peer);
    if (scope == null) {
      throw refused(target, target, "cannot tell which address " + target.getHost() + " reached");
    }
    checkScope(target, target, scope);
  }

  private void checkScope(URI from, URI target, AddressScope scope) {
    if (isUpstreamHost(target)) {
      return;
    }
    boolean allowed = switch (scope) {
      case OTHER -> true;
      case LOOPBACK -> loopbackUpstream;
      case LINK_LOCAL, UNSPECIFIED -> false;
    };
    if (!allowed) {
      throw refused(from, target, "target is a " + lower(scope.name()).replace('_', '-') + " address");
    }
  }

  private boolean isUpstreamHost(URI target) {
    return target.getHost() != null && target.getHost().equalsIgnoreCase(upstream.getHost());
  }

  /** Names hosts and paths only: a CDN's query string carries signatures. */
  private static UpstreamException refused(URI from, URI target, String reason) {
    String to = target == null ? "" : " to " + target.getScheme() + "://" + target.getHost();
    return new UpstreamException("redirect from " + from.getHost() + from.getRawPath() + to
        + " refused: " + reason);
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
