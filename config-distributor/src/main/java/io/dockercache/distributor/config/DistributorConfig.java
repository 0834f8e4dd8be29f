package io.dockercache.distributor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * The distributor's own keys, beside the seed's shared ones in {@link
 * io.dockercache.common.config.DockerCacheConfig}: flat {@code docker_cache_*} keys from system
 * properties, environment and the seed-format YAML file.
 */
@ConfigMapping(prefix = "")
public interface DistributorConfig {

  /** Where the node's filesystem is mounted: {@code etc/docker}, {@code var/run} etc. below it. */
  @WithName("docker_cache_node_root")
  @WithDefault("/host")
  String nodeRoot();

  /** How often the whole reconcile runs again, to heal manual edits. */
  @WithName("docker_cache_resync_period")
  @WithDefault("5m")
  Duration resyncPeriod();

  /** How long a SIGHUP'd dockerd has to show the new mirrors in {@code GET /info}. */
  @WithName("docker_cache_reload_timeout")
  @WithDefault("15s")
  Duration reloadTimeout();

  /** Longest wait for the Kubernetes API when reporting; then reporting is skipped for this run. */
  @WithName("docker_cache_report_timeout")
  @WithDefault("15s")
  Duration reportTimeout();

  /** The cache's Service, whose NodePort is the mirror's port when no host is configured. */
  @WithName("docker_cache_service_name")
  @WithDefault("docker-cache")
  String serviceName();

  /** Namespace of {@link #serviceName()}. */
  @WithName("docker_cache_service_namespace")
  @WithDefault("docker-cache")
  String serviceNamespace();

  /** This node's name (the DaemonSet sets it from {@code spec.nodeName}); absent → no reporting. */
  @WithName("docker_cache_node_name")
  Optional<String> nodeName();

  /** Namespace the per-node Events are written to. */
  @WithName("docker_cache_event_namespace")
  @WithDefault("default")
  String eventNamespace();
}
