package io.dockercache.common.config;

import java.util.Locale;

/**
 * An amount of bytes as admins write it: {@code 512MiB}, {@code 200GiB}, {@code 1TB}, or plain
 * bytes. Units are case-insensitive; {@code KB}..{@code TB} are powers of 1000, {@code KiB}..
 * {@code TiB} powers of 1024 (IEC 80000-13). {@code 0} is allowed (it turns a limit off).
 */
public record ByteSize(long bytes) {

  /** The longest value worth parsing; bounds the scan before any arithmetic. */
  private static final int MAX_LENGTH = 32;

  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size cannot be negative: " + bytes);
    }
  }

  public static ByteSize parse(String value) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty() || v.length() > MAX_LENGTH) {
      throw invalid(value);
    }
    int digits = 0;
    while (digits < v.length() && Character.isDigit(v.charAt(digits))) {
      digits++;
    }
    if (digits == 0) {
      throw invalid(value);
    }
    long multiplier = multiplier(v.substring(digits).strip(), value);
    try {
      return new ByteSize(Math.multiplyExact(Long.parseLong(v.substring(0, digits)), multiplier));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("\"" + value + "\" is too large a size", e);
    }
  }

  public boolean isZero() {
    return bytes == 0;
  }

  private static long multiplier(String unit, String value) {
    return switch (unit.toLowerCase(Locale.ROOT)) {
      case "", "b" -> 1L;
      case "kb" -> 1_000L;
      case "mb" -> 1_000_000L;
      case "gb" -> 1_000_000_000L;
      case "tb" -> 1_000_000_000_000L;
      case "kib" -> 1L << 10;
      case "mib" -> 1L << 20;
      case "gib" -> 1L << 30;
      case "tib" -> 1L << 40;
      default -> throw invalid(value);
    };
  }

  private static IllegalArgumentException invalid(String value) {
    return new IllegalArgumentException("\"" + value + "\" is not a size; allowed: plain bytes or"
        + " a number with KB, MB, GB, TB, KiB, MiB, GiB or TiB, e.g. 200GiB; 0 turns the limit off");
  }

  @Override
  public String toString() {
    return bytes + "B";
  }
}
