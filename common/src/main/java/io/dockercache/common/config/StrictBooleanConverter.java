package io.dockercache.common.config;

import java.util.Locale;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Booleans as YAML and people write them: {@code true} or {@code false}. MicroProfile's own
 * converter reads any other word as false, which would silently turn a typo into "disabled".
 */
public final class StrictBooleanConverter implements Converter<Boolean> {

  @Override
  public Boolean convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true")) {
      return Boolean.TRUE;
    }
    if (v.equals("false")) {
      return Boolean.FALSE;
    }
    throw new IllegalArgumentException("\"" + value + "\" is not a boolean; allowed: true, false");
  }
}
