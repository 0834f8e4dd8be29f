package io.dockercache.cache.upstream;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a token realm named by the upstream's {@code WWW-Authenticate} may be called.
 * Without this check a hostile or spoofed upstream could make the cache call any URL (SSRF) and
 * send it our upstream credentials. The realm must be on the upstream's host or share its
 * registrable domain by the public suffix list (Docker Hub's {@code auth.docker.io} and
 * {@code registry-1.docker.io} share {@code docker.io}; {@code a.co.uk} and {@code b.co.uk} share
 * nothing), and must use {@code https} unless the upstream itself is plain {@code http}: the
 * credentials travel to it.
 */
final class RealmPolicy {

  /**
   * Registry hosting where every subdomain is another customer's registry, but which the public
   * suffix list does not name: treated as public suffixes.
   */
  private static final Set<String> TENANT_SUFFIXES = Set.of("azurecr.io", "azurecr.cn", "azurecr.us");

  private final String upstreamHost;
  private final boolean plainHttpUpstream;

  RealmPolicy(URI upstream) {
    this.upstreamHost = upstream.getHost().toLowerCase(Locale.ROOT);
    this.plainHttpUpstream = "http".equalsIgnoreCase(upstream.getScheme());
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
    boolean allowedScheme = scheme.equals("https") || (plainHttpUpstream && scheme.equals("http"));
    if (!allowedScheme) {
      throw new UpstreamException("token realm " + realm + " is not https"
          + (plainHttpUpstream ? " or http" : " (the upstream is https)"));
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (!host.equals(upstreamHost) && !sameRegistrableDomain(host, upstreamHost)) {
      throw new UpstreamException(
          "token realm host " + host + " is neither " + upstreamHost + " nor in its domain");
    }
    return uri;
  }

  /** Whether both hosts have the same registrable domain; never for IP literals or bare names. */
  static boolean sameRegistrableDomain(String a, String b) {
    Optional<String> domain = registrableDomain(a);
    return domain.isPresent() && domain.equals(registrableDomain(b));
  }

  /**
   * The public suffix plus one label ({@code example.co.uk} for {@code auth.example.co.uk}), or
   * empty when there is none: an IP literal, {@code localhost}, {@code registry.local}, or a
   * public suffix itself.
   */
  static Optional<String> registrableDomain(String host) {
    if (host.isEmpty() || InetAddresses.isUriInetAddress(host) || !InternetDomainName.isValid(host)) {
      return Optional.empty();
    }
    InternetDomainName name = InternetDomainName.from(host);
    if (!name.isUnderPublicSuffix()) {
      return Optional.empty();
    }
    InternetDomainName top = name.topPrivateDomain();
    if (!TENANT_SUFFIXES.contains(top.toString())) {
      return Optional.of(top.toString());
    }
    List<String> labels = name.parts();
    int keep = top.parts().size() + 1;
    return labels.size() < keep ? Optional.empty()
        : Optional.of(String.join(".", labels.subList(labels.size() - keep, labels.size())));
  }
}
