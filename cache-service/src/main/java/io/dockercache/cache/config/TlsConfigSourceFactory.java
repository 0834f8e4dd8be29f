package io.dockercache.cache.config;

import io.dockercache.common.config.SeedFileConfigSourceFactory;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * HTTPS on the registry port from two documented keys, {@code docker_cache_tls_cert_file} and
 * {@code docker_cache_tls_key_file} (PEM), translated to Quarkus' own settings: the TLS port
 * becomes the registry port and plain HTTP is switched off, so credentials never cross the wire in
 * clear. Its ordinal (275) is above the packaged defaults and the seed file, below the environment,
 * so {@code QUARKUS_HTTP_*} variables can still override any of it.
 */
public class TlsConfigSourceFactory implements ConfigSourceFactory {

  static final String CERT_KEY = "docker_cache_tls_cert_file";
  static final String KEY_KEY = "docker_cache_tls_key_file";
  private static final int ORDINAL = 275;

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    // A factory's context does not see other factories' sources, so the seed file is read here
    // too; the environment and system properties still come first.
    Iterable<ConfigSource> seedFile = new SeedFileConfigSourceFactory().getConfigSources(context);
    String cert = value(context, seedFile, CERT_KEY);
    String key = value(context, seedFile, KEY_KEY);
    if (cert == null && key == null) {
      return List.of();
    }
    if (cert == null || key == null) {
      throw new IllegalStateException(CERT_KEY + " and " + KEY_KEY
          + ": only one is set; allowed: both (PEM certificate and key) or neither");
    }
    String port = value(context, seedFile, "quarkus.http.port");
    return List.of(new PropertiesConfigSource(Map.of(
        "quarkus.http.ssl.certificate.files", cert,
        "quarkus.http.ssl.certificate.key-files", key,
        "quarkus.http.ssl-port", port != null ? port : "5000",
        "quarkus.http.insecure-requests", "disabled"), "docker-cache TLS", ORDINAL));
  }

  @Override
  public OptionalInt getPriority() {
    return OptionalInt.of(100);
  }

  private static String value(ConfigSourceContext context, Iterable<ConfigSource> seedFile, String name) {
    ConfigValue v = context.getValue(name);
    String value = v == null ? null : v.getValue();
    for (ConfigSource source : seedFile) {
      if (value == null) {
        value = source.getValue(name);
      }
    }
    return value == null || value.isBlank() ? null : value.strip();
  }
}
