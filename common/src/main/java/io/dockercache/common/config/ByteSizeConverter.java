package io.dockercache.common.config;

import org.eclipse.microprofile.config.spi.Converter;

/** Reads a {@link ByteSize} key; the message names what is allowed. */
public final class ByteSizeConverter implements Converter<ByteSize> {

  @Override
  public ByteSize convert(String value) {
    return ByteSize.parse(value);
  }
}
