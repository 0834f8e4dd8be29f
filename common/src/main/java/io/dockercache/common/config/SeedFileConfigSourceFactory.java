package io.dockercache.common.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Reads the seed-format YAML file named by {@code DOCKER_CACHE_CONFIG} (default
 * {@code /etc/docker-cache/config.yaml}). Its ordinal (250) sits below environment variables (300)
 * and system properties (400), so both override the file, as the design asks.
 *
 * <p>A missing default file is normal (the cache runs on defaults); a file the admin named
 * explicitly that does not exist is a mistake worth stopping for.
 */
public class SeedFileConfigSourceFactory implements ConfigSourceFactory {

  static final String LOCATION_KEY = "DOCKER_CACHE_CONFIG";
  static final String DEFAULT_LOCATION = "/etc/docker-cache/config.yaml";
  static final int ORDINAL = 250;

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    ConfigValue named = context.getValue(LOCATION_KEY);
    boolean explicit = named != null && named.getValue() != null && !named.getValue().isBlank();
    Path file = Path.of(explicit ? named.getValue() : DEFAULT_LOCATION);
    if (!Files.exists(file)) {
      if (explicit) {
        throw new IllegalStateException(
            LOCATION_KEY + "=" + file + ": no such file (unset it to run on defaults)");
      }
      return List.of();
    }
    try {
      return List.of(new YamlConfigSource(file.toUri().toURL(), ORDINAL));
    } catch (IOException e) {
      throw new UncheckedIOException(LOCATION_KEY + "=" + file + ": cannot read: " + e, e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(LOCATION_KEY + "=" + file + ": not valid YAML: " + e.getMessage(), e);
    }
  }

  @Override
  public OptionalInt getPriority() {
    return OptionalInt.of(ORDINAL);
  }
}
