package io.dockercache.cache.pullthrough;

import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The pagination of a list request ({@code ?n=&last=}, distribution's spec "Listing Image
 * Tags"): {@code n} at most this many entries (null: all), {@code last} only entries after it.
 * Other parameters are ignored, as distribution ignores them.
 */
record Page(Integer n, String last) {

  /** Longer than any tag (128) or repository name (255): such a {@code last} is refused. */
  static final int MAX_LAST_CHARS = 512;

  /** Reads a raw query string (null or empty: everything, from the start). */
  static Page parse(String rawQuery) {
    Integer n = null;
    String last = null;
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String param : rawQuery.split("&")) {
        int eq = param.indexOf('=');
        String key = decode(eq < 0 ? param : param.substring(0, eq));
        String value = eq < 0 ? "" : decode(param.substring(eq + 1));
        if (key.equals("n")) {
          n = number(value);
        } else if (key.equals("last")) {
          if (value.length() > MAX_LAST_CHARS) {
            throw new RegistryException(ErrorCode.UNSUPPORTED,
                "last= is longer than " + MAX_LAST_CHARS + " characters");
          }
          last = value.isEmpty() ? null : value;
        }
      }
    }
    return new Page(n, last);
  }

  /** {@code ?n=..&last=..} for the upstream, each value encoded; "" when neither is set. */
  String query() {
    StringBuilder q = new StringBuilder();
    if (n != null) {
      q.append("n=").append(n);
    }
    if (last != null) {
      q.append(q.length() == 0 ? "" : "&").append("last=").append(encode(last));
    }
    return q.length() == 0 ? "" : "?" + q;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A negative n is an empty page, as the catalog clamps it; not a number is refused. */
  private static Integer number(String value) {
    try {
      return Math.max(0, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      throw new RegistryException(ErrorCode.UNSUPPORTED, "n=" + value + " is not a number");
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.UNSUPPORTED, "malformed query parameter: " + s);
    }
  }
}
