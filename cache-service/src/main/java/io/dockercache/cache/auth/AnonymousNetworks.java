package io.dockercache.cache.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks whose clients pull without credentials ({@code docker_cache_anonymous_cidrs}),
 * typically the cluster's node network: dockerd sends no credentials to a mirror unless the pulling
 * client holds docker.io credentials, and silently falls back to Docker Hub when refused.
 */
public final class AnonymousNetworks {

  private record Block(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks;

  private AnonymousNetworks(List<Block> blocks) {
    this.blocks = blocks;
  }

  /**
   * Parses a comma-separated list of CIDR blocks ({@code 10.0.0.0/8, fd00::/8}; a bare address is
   * a /32 or /128). Throws {@link IllegalArgumentException} naming the bad entry.
   */
  public static AnonymousNetworks parse(List<String> cidrs) {
    List<Block> blocks = new ArrayList<>();
    for (String raw : cidrs) {
      String cidr = raw.strip();
      if (cidr.isEmpty()) {
        continue;
      }
      int slash = cidr.indexOf('/');
      String address = slash < 0 ? cidr : cidr.substring(0, slash);
      byte[] bytes = literal(address, cidr);
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        String p = cidr.substring(slash + 1);
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
            || Integer.parseInt(p) > bytes.length * 8) {
          throw new IllegalArgumentException("\"" + cidr + "\": bad prefix length");
        }
        prefix = Integer.parseInt(p);
      }
      blocks.add(new Block(bytes, prefix));
    }
    return new AnonymousNetworks(List.copyOf(blocks));
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /** Whether a client address (textual IP literal, as Vert.x reports it) is in one of the blocks. */
  public boolean contains(String clientAddress) {
    if (blocks.isEmpty() || clientAddress == null) {
      return false;
    }
    byte[] address;
    try {
      address = literal(clientAddress, clientAddress);
    } catch (IllegalArgumentException e) {
      return false;
    }
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
    byte[] v4 = mappedV4(address);
    for (Block b : blocks) {
      if (b.contains(address) || (v4 != null && b.contains(v4))) {
        return true;
      }
    }
    return false;
  }

  /** Parses an IP literal only: never a name lookup. */
  private static byte[] literal(String address, String entry) {
    // Four dotted parts: Java would also read "10.1" as an address, which no admin means.
    boolean v4 = !address.isEmpty() && address.chars().allMatch(c -> c == '.' || Character.isDigit(c))
        && address.chars().filter(c -> c == '.').count() == 3;
    boolean v6 = address.indexOf(':') >= 0
        && address.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
    if (!v4 && !v6) {
      throw new IllegalArgumentException("\"" + entry + "\": not an IP address or CIDR block");
    }
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + entry + "\": not an IP address or CIDR block");
    }
  }

  private static byte[] mappedV4(byte[] a) {
    if (a.length != 16) {
      return null;
    }
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return null;
      }
    }
    if ((a[10] & 0xff) != 0xff || (a[11] & 0xff) != 0xff) {
      return null;
    }
    return new byte[] {a[12], a[13], a[14], a[15]};
  }
}
