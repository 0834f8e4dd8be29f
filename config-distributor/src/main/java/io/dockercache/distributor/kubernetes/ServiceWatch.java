package io.dockercache.distributor.kubernetes;

import io.dockercache.distributor.config.DistributorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Watches the cache Service and its EndpointSlices, so that a changed NodePort, or a cache pod
 * that became ready, unready or moved to another node, reaches the nodes at once rather than at
 * the next resync. A watch that could not start or was closed is opened again by {@link
 * #ensureStarted} at the next resync.
 */
@ApplicationScoped
public class ServiceWatch {

  private static final Logger LOG = Logger.getLogger(ServiceWatch.class);

  private final KubernetesClient client;
  private final DistributorConfig config;
  private Watch service;
  private Watch slices;

  ServiceWatch(KubernetesClient client, DistributorConfig config) {
    this.client = client;
    this.config = config;
  }

  /** Opens the watches unless both are open; false when the API refused. */
  public synchronized boolean ensureStarted(Runnable onChange) {
    return (service != null && slices != null) || start(onChange);
  }

  /**
   * Runs {@code onChange} on every add, change or deletion of the Service or of one of its
   * EndpointSlices; false when the API refused.
   */
  public synchronized boolean start(Runnable onChange) {
    stop();
    String name = config.serviceNamespace() + "/" + config.serviceName();
    service = open("Service " + name, client.services().inNamespace(config.serviceNamespace())
        .withName(config.serviceName()), onChange);
    slices = open("EndpointSlices of " + name, client.discovery().v1().endpointSlices()
        .inNamespace(config.serviceNamespace())
        .withLabel(MirrorDiscovery.SERVICE_NAME_LABEL, config.serviceName()), onChange);
    return service != null && slices != null;
  }

  private <T> Watch open(String what, Watchable<T> target, Runnable onChange) {
    try {
      return target.watch(new Watcher<T>() {
        @Override
        public void eventReceived(Action action, T resource) {
          LOG.infof("%s: %s", what, action);
          onChange.run();
        }

        @Override
        public void onClose(WatcherException cause) {
          closed();
          LOG.warnf("watch of %s closed: %s (reopened at the next resync)", what, cause.getMessage());
        }
      });
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot watch %s: %s", what, e.getMessage());
      return null;
    }
  }

  /** One watch closed: both are opened again together at the next resync. */
  private synchronized void closed() {
    stop();
  }

  public synchronized void stop() {
    if (service != null) {
      service.close();
      service = null;
    }
    if (slices != null) {
      slices.close();
      slices = null;
    }
  }
}
