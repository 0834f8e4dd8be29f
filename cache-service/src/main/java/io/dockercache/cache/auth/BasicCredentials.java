package io.dockercache.cache.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * User and password of an {@code Authorization: Basic} header (RFC 7617). {@link #toString()}
 * never shows the password.
 */
public record BasicCredentials(String user, String password) {

  /** Longer headers are not credentials anyone types; refuse before decoding. */
  private static final int MAX_HEADER_LENGTH = 4096;

  /** Parses the header; empty when it is absent, another scheme, or malformed. */
  public static Optional<BasicCredentials> parse(String header) {
    if (header == null || header.length() > MAX_HEADER_LENGTH) {
      return Optional.empty();
    }
    String h = header.strip();
    int space = h.indexOf(' ');
    if (space <= 0 || !h.substring(0, space).equalsIgnoreCase("Basic")) {
      return Optional.empty();
    }
    String token = h.substring(space + 1).strip();
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    return Optional.of(new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + ", password=***]";
  }
}
