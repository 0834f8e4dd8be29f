package io.dockercache.distributor.config;

import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.common.config.SeedConfigCheck;
import io.dockercache.common.config.UpstreamRegistries;
import io.dockercache.distributor.reconcile.Mirror;
import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/**
 * Stops the program at start when a value is unusable: one line per problem, naming the key, the
 * value (never a secret) and what is allowed.
 */
@Startup(1)
@ApplicationScoped
public class ConfigurationCheck {

  @Inject
  public ConfigurationCheck(DockerCacheConfig seed, DistributorConfig config, Config all) {
    List<String> problems = new ArrayList<>(SeedConfigCheck.problems(seed));
    try {
      UpstreamRegistries.from(all);
    } catch (IllegalArgumentException e) {
      // Its message names the key for every bad entry; one line each, like the other keys.
      problems.addAll(List.of(e.getMessage().split("; (?=" + UpstreamRegistries.KEY + ": )")));
    }
    seed.host().filter(h -> !h.isBlank()).ifPresent(host -> {
      try {
        Mirror.of(host);
      } catch (IllegalArgumentException e) {
        problems.add("docker_cache_host: " + e.getMessage());
      }
    });
    if (config.nodeRoot().isBlank() || !config.nodeRoot().startsWith("/")) {
      problems.add("docker_cache_node_root: \"" + config.nodeRoot()
          + "\" is not an absolute path; allowed: the node's / mounted in the pod, e.g. /host");
    }
    positive("docker_cache_resync_period", config.resyncPeriod(), problems);
    positive("docker_cache_reload_timeout", config.reloadTimeout(), problems);
    positive("docker_cache_report_timeout", config.reportTimeout(), problems);
    if (!problems.isEmpty()) {
      throw new ConfigValidationException(problems.stream().map(Problem::new).toArray(Problem[]::new));
    }
  }

  private static void positive(String key, Duration value, List<String> problems) {
    if (value.isNegative() || value.isZero()) {
      problems.add(key + ": " + value + " is not positive; allowed: more than 0, e.g. 30s");
    }
  }
}
