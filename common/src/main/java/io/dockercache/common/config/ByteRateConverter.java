package io.dockercache.common.config;

import org.eclipse.microprofile.config.spi.Converter;

/** Reads a rate in bytes per second: a {@link ByteSize}, written with or without {@code /s}. */
public final class ByteRateConverter implements Converter<ByteSize> {

  @Override
  public ByteSize convert(String value) {
    String v = value.strip();
    return ByteSize.parse(v.endsWith("/s") ? v.substring(0, v.length() - 2) : v);
  }
}
