package io.dockercache.common.config;

/**
 * How much of a filesystem to keep free: a percentage of its size ({@code 20%}) or an amount of
 * bytes ({@link ByteSize} syntax). {@code 0} turns the rule off.
 */
public record FreeSpace(double percent, long bytes) {

  public FreeSpace {
    if (percent < 0 || percent > 100 || bytes < 0) {
      throw new IllegalArgumentException("free space out of range: " + percent + "% / " + bytes);
    }
  }

  public static FreeSpace parse(String value) {
    String v = value == null ? "" : value.strip();
    if (v.endsWith("%")) {
      String number = v.substring(0, v.length() - 1).strip();
      if (number.isEmpty() || number.length() > 8 || !number.chars().allMatch(
          c -> Character.isDigit(c) || c == '.') || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(value);
      }
      double percent = Double.parseDouble(number);
      if (percent > 100) {
        throw invalid(value);
      }
      return new FreeSpace(percent, 0);
    }
    try {
      return new FreeSpace(0, ByteSize.parse(v).bytes());
    } catch (IllegalArgumentException e) {
      throw invalid(value);
    }
  }

  /** The bytes to keep free on a filesystem of {@code total} bytes. */
  public long of(long total) {
    return bytes > 0 ? bytes : (long) (total * (percent / 100.0));
  }

  public boolean isOff() {
    return percent == 0 && bytes == 0;
  }

  private static IllegalArgumentException invalid(String value) {
    return new IllegalArgumentException("\"" + value + "\" is not a free-space amount; allowed: a"
        + " percentage from 0% to 100% (e.g. 20%) or a size (e.g. 50GiB); 0 turns the rule off");
  }

  @Override
  public String toString() {
    return bytes > 0 ? bytes + "B" : percent + "%";
  }
}
