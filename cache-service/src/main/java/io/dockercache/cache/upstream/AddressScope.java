package io.dockercache.cache.upstream;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * What kind of address a redirect would reach. Decided without any DNS lookup: from an IP literal
 * or a loopback name in a URL, or from the address a connection actually reached.
 */
enum AddressScope {
  /** 127.0.0.0/8, ::1 and the {@code localhost} names: this machine. */
  LOOPBACK,
  /** 169.254.0.0/16 and fe80::/10: among them the cloud metadata service. */
  LINK_LOCAL,
  /** 0.0.0.0/8 and ::, which Linux connects to this machine. */
  UNSPECIFIED,
  /** Anything else, private networks included: an upstream and its CDN may live there. */
  OTHER;

  /**
   * The scope of a URL's host as {@link java.net.URI#getHost()} gives it (IPv6 in brackets). A
   * host name other than {@code localhost} is {@link #OTHER} here: its address is only known at
   * connect time.
   */
  static AddressScope ofHost(String uriHost) {
    if (InetAddresses.isUriInetAddress(uriHost)) {
      return of(InetAddresses.forUriString(uriHost));
    }
    String name = uriHost.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    // RFC 6761 §6.3: localhost and every name under it are loopback.
    return name.equals("localhost") || name.endsWith(".localhost") ? LOOPBACK : OTHER;
  }

  /**
   * The scope of a connection's peer, e.g. {@code 127.0.0.1} or {@code 0:0:0:0:0:0:0:1%lo}; null
   * when it cannot be read as an IP address.
   */
  static AddressScope ofPeer(String hostAddress) {
    if (hostAddress == null) {
      return null;
    }
    int zone = hostAddress.indexOf('%');
    String ip = zone < 0 ? hostAddress : hostAddress.substring(0, zone);
    return InetAddresses.isInetAddress(ip) ? of(InetAddresses.forString(ip)) : null;
  }

  /** IPv4-mapped IPv6 addresses arrive here as IPv4 ones: InetAddress converts them. */
  static AddressScope of(InetAddress address) {
    if (address.isAnyLocalAddress()
        || (address instanceof Inet4Address && address.getAddress()[0] == 0)) {
      return UNSPECIFIED;
    }
    if (address.isLoopbackAddress()) {
      return LOOPBACK;
    }
    return address.isLinkLocalAddress() ? LINK_LOCAL : OTHER;
  }
}
