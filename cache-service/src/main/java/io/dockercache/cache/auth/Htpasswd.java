package io.dockercache.cache.auth;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The users of an htpasswd file, bcrypt entries only ({@code htpasswd -B} writes {@code $2y$}).
 * Other schemes (MD5 {@code $apr1$}, SHA1, crypt) are not safe against offline guessing and are
 * ignored with a warning naming the line and user, never the hash.
 */
public final class Htpasswd {

  private final Map<String, byte[]> bcryptByUser;

  private Htpasswd(Map<String, byte[]> bcryptByUser) {
    this.bcryptByUser = Collections.unmodifiableMap(bcryptByUser);
  }

  /**
   * Parses an htpasswd file. Blank lines and {@code #} comments are skipped. Throws
   * {@link IllegalArgumentException} naming the line of the first malformed entry.
   */
  public static Htpasswd parse(String content, Consumer<String> warnings) {
    Map<String, byte[]> users = new LinkedHashMap<>();
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || colon == line.length() - 1) {
        throw new IllegalArgumentException("htpasswd line " + lineNumber + ": not \"user:hash\"");
      }
      String user = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      if (!isBcrypt(hash)) {
        warnings.accept("htpasswd line " + lineNumber + ": user \"" + user
            + "\" ignored: not a bcrypt entry (create it with htpasswd -B)");
        continue;
      }
      if (users.put(user, hash.getBytes(StandardCharsets.US_ASCII)) != null) {
        warnings.accept("htpasswd line " + lineNumber + ": user \"" + user
            + "\" appears again; this later entry wins");
      }
    }
    return new Htpasswd(users);
  }

  /** The bcrypt hash of a user, if the file has one. */
  Optional<byte[]> hashOf(String user) {
    return Optional.ofNullable(bcryptByUser.get(user));
  }

  public int size() {
    return bcryptByUser.size();
  }

  /** The highest cost among the entries (the dummy hash for unknown users uses it). */
  int maxCost() {
    int max = 4;
    for (byte[] hash : bcryptByUser.values()) {
      max = Math.max(max, Integer.parseInt(new String(hash, 4, 2, StandardCharsets.US_ASCII)));
    }
    return max;
  }

  /** {@code $2a$}, {@code $2b$} or {@code $2y$}, a two-digit cost, then the 53-character salt+hash. */
  static boolean isBcrypt(String hash) {
    if (hash.length() != 60 || hash.charAt(0) != '$' || hash.charAt(1) != '2'
        || "aby".indexOf(hash.charAt(2)) < 0 || hash.charAt(3) != '$' || hash.charAt(6) != '$') {
      return false;
    }
    return Character.isDigit(hash.charAt(4)) && Character.isDigit(hash.charAt(5));
  }
}
