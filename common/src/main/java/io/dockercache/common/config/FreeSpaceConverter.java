package io.dockercache.common.config;

import org.eclipse.microprofile.config.spi.Converter;

/** Reads a {@link FreeSpace} key; the message names what is allowed. */
public final class FreeSpaceConverter implements Converter<FreeSpace> {

  @Override
  public FreeSpace convert(String value) {
    return FreeSpace.parse(value);
  }
}
