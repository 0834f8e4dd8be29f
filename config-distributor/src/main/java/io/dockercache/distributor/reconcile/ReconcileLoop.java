package io.dockercache.distributor.reconcile;

import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.distributor.config.DistributorConfig;
import io.dockercache.distributor.kubernetes.ServiceWatch;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The long-running mode: reconcile at start, on every change of the cache Service or its
 * EndpointSlices (a cache pod became ready, unready or moved), periodically to heal manual edits,
 * and when the mounted configuration file changes. Requests that arrive while a reconcile runs
 * collapse into one more run.
 */
@ApplicationScoped
public class ReconcileLoop {

  private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);
  private static final long CONFIG_POLL_SECONDS = 10;

  private final Reconciler reconciler;
  private final DistributorConfig config;
  private final DockerCacheConfig seed;
  private final ServiceWatch serviceWatch;
  private final Optional<String> configFile;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "reconcile");
    thread.setDaemon(true);
    return thread;
  });
  private byte[] configContent;

  ReconcileLoop(Reconciler reconciler, DistributorConfig config, DockerCacheConfig seed,
      ServiceWatch serviceWatch,
      @ConfigProperty(name = "DOCKER_CACHE_CONFIG") Optional<String> configFile) {
    this.reconciler = reconciler;
    this.config = config;
    this.seed = seed;
    this.serviceWatch = serviceWatch;
    this.configFile = configFile;
  }

  public void start() {
    configContent = readConfig();
    trigger();
    long period = config.resyncPeriod().toMillis();
    executor.scheduleWithFixedDelay(this::resync, period, period, TimeUnit.MILLISECONDS);
    executor.scheduleWithFixedDelay(this::checkConfig, CONFIG_POLL_SECONDS, CONFIG_POLL_SECONDS,
        TimeUnit.SECONDS);
    if (discovers()) {
      serviceWatch.start(this::trigger);
    }
  }

  private boolean discovers() {
    return seed.host().filter(h -> !h.isBlank()).isEmpty();
  }

  private void resync() {
    if (discovers()) {
      serviceWatch.ensureStarted(this::trigger);
    }
    trigger();
  }

  /** Asks for a reconcile soon; several asks before it runs make one. */
  public void trigger() {
    if (pending.compareAndSet(false, true)) {
      executor.execute(() -> {
        pending.set(false);
        try {
          reconciler.reconcile();
        } catch (RuntimeException e) {
          LOG.error("reconcile failed unexpectedly", e);
        }
      });
    }
  }

  /**
   * Configuration is read once at start (SmallRye mappings are immutable), so a changed file ends
   * the process and the DaemonSet starts it again with the new values; dockerd is not touched.
   */
  private void checkConfig() {
    byte[] now = readConfig();
    if (!Arrays.equals(now, configContent)) {
      LOG.infof("configuration %s changed: restarting the distributor to reconcile with it",
          configFile.orElse(""));
      Quarkus.asyncExit(0);
    }
  }

  private byte[] readConfig() {
    Path file = Path.of(configFile.filter(f -> !f.isBlank()).orElse("/etc/docker-cache/config.yaml"));
    try {
      return Files.exists(file) ? Files.readAllBytes(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  void stop(@Observes ShutdownEvent event) {
    serviceWatch.stop();
    executor.shutdownNow();
  }
}
