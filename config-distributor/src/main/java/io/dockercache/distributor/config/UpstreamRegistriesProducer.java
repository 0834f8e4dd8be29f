package io.dockercache.distributor.config;

import io.dockercache.common.config.UpstreamRegistries;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * {@code docker_cache_registries} as a bean: the hosts that get a containerd hosts.toml besides
 * docker.io. A bad value stops the program at start in {@link ConfigurationCheck} first.
 */
public class UpstreamRegistriesProducer {

  @Produces
  @Singleton
  UpstreamRegistries registries(Config config) {
    return UpstreamRegistries.from(config);
  }
}
