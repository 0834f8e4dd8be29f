package io.dockercache.distributor.kubernetes;

import io.dockercache.distributor.config.DistributorConfig;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Watches the cache Service, so that a changed NodePort reaches the nodes at once rather than at
 * the next resync. A watch that could not start or was closed is opened again by {@link
 * #ensureStarted} at the next resync.
 */
@ApplicationScoped
public class ServiceWatch {

  private static final Logger LOG = Logger.getLogger(ServiceWatch.class);

  private final KubernetesClient client;
  private final DistributorConfig config;
  private Watch watch;

  ServiceWatch(KubernetesClient client, DistributorConfig config) {
    this.client = client;
    this.config = config;
  }

  /** Opens the watch unless one is open; false when the API refused. */
  public synchronized boolean ensureStarted(Runnable onChange) {
    return watch != null || start(onChange);
  }

  /** Runs {@code onChange} on every add, change or deletion of the Service; false when the API refused. */
  public synchronized boolean start(Runnable onChange) {
    stop();
    try {
      watch = client.services().inNamespace(config.serviceNamespace()).withName(config.serviceName())
          .watch(new Watcher<Service>() {
            @Override
            public void eventReceived(Action action, Service service) {
              LOG.infof("Service %s/%s %s", config.serviceNamespace(), config.serviceName(), action);
              onChange.run();
            }

            @Override
            public void onClose(WatcherException cause) {
              closed();
              LOG.warnf("watch of Service %s/%s closed: %s (reopened at the next resync)",
                  config.serviceNamespace(), config.serviceName(), cause.getMessage());
            }
          });
      return true;
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot watch Service %s/%s: %s", config.serviceNamespace(), config.serviceName(),
          e.getMessage());
      return false;
    }
  }

  private synchronized void closed() {
    watch = null;
  }

  public synchronized void stop() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }
}
