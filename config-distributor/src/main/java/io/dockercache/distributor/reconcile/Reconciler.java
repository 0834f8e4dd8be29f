package io.dockercache.distributor.reconcile;

import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.common.config.UpstreamRegistries;
import io.dockercache.distributor.config.DistributorConfig;
import io.dockercache.distributor.containerd.ContainerdConfigurer;
import io.dockercache.distributor.docker.DockerConfigurer;
import io.dockercache.distributor.kubernetes.DiscoveryException;
import io.dockercache.distributor.kubernetes.MirrorDiscovery;
import io.dockercache.distributor.kubernetes.NodeReporter;
import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.NodeRuntimes;
import io.dockercache.distributor.node.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The one reconcile of DESIGN.md §4: desired state from the configuration (and discovery), the
 * runtimes found on the node decide what is touched, then report. Runs one at a time.
 */
@ApplicationScoped
public class Reconciler {

  private static final Logger LOG = Logger.getLogger(Reconciler.class);

  private final DockerCacheConfig seed;
  private final UpstreamRegistries registries;
  private final MirrorDiscovery discovery;
  private final NodeReporter reporter;
  private final DistributorMetrics metrics;
  private final NodePaths paths;
  private final DockerConfigurer docker;
  private final ContainerdConfigurer containerd;
  private volatile Outcome last;

  Reconciler(DockerCacheConfig seed, DistributorConfig config, UpstreamRegistries registries,
      MirrorDiscovery discovery, NodeReporter reporter, DistributorMetrics metrics) {
    this.seed = seed;
    this.registries = registries;
    this.discovery = discovery;
    this.reporter = reporter;
    this.metrics = metrics;
    this.paths = new NodePaths(Path.of(config.nodeRoot()));
    this.docker = new DockerConfigurer(paths, config.reloadTimeout());
    this.containerd = new ContainerdConfigurer(paths);
  }

  /** Mirror in when {@code enable_docker_cache} is true, else everything of ours out. */
  public synchronized Outcome reconcile() {
    return finish(seed.enabled() ? apply() : remove("enable_docker_cache is false"));
  }

  /** Everything of ours out, whatever the configuration says ({@code --cleanup}). */
  public synchronized Outcome cleanup() {
    return finish(remove("cleanup asked"));
  }

  /** The latest outcome, if any reconcile ran. */
  public Optional<Outcome> last() {
    return Optional.ofNullable(last);
  }

  private Outcome apply() {
    Mirrors mirrors;
    try {
      Optional<String> host = seed.host().filter(h -> !h.isBlank());
      mirrors = host.isPresent() ? Mirrors.of(Mirror.of(host.get())) : discovery.discover();
    } catch (DiscoveryException | IllegalArgumentException e) {
      // Nothing is touched: the node keeps what it has (the previous mirrors, or none of ours).
      return new Outcome(State.FAILED, Optional.empty(), false, "no mirror address: " + e.getMessage());
    }
    NodeRuntimes runtimes = NodeRuntimes.detect(paths);
    if (runtimes.none()) {
      return new Outcome(State.NO_RUNTIME, Optional.of(mirrors.toString()), false, "found " + runtimes
          + " under " + paths.root() + " (no /etc/docker, no running dockerd, no /etc/containerd)");
    }
    List<StepResult> steps = new ArrayList<>();
    if (runtimes.docker()) {
      steps.add(docker.apply(mirrors));
    }
    if (runtimes.containerd()) {
      steps.add(containerd.apply(mirrors, registries));
    }
    return outcome(State.APPLIED, Optional.of(mirrors.toString()), steps);
  }

  private Outcome remove(String why) {
    NodeRuntimes runtimes = NodeRuntimes.detect(paths);
    List<StepResult> steps = new ArrayList<>();
    // A daemon.json left from a docker that is gone may still hold our entries.
    if (runtimes.docker() || Files.exists(paths.daemonJson())) {
      steps.add(docker.cleanup());
    }
    if (runtimes.containerd()) {
      steps.add(containerd.cleanup());
    }
    if (steps.isEmpty()) {
      return new Outcome(State.REMOVED, Optional.empty(), false, why + "; found " + runtimes
          + " under " + paths.root() + ", nothing to remove");
    }
    Outcome outcome = outcome(State.REMOVED, Optional.empty(), steps);
    return new Outcome(outcome.state(), outcome.mirror(), outcome.changed(), why + "; " + outcome.message());
  }

  private static Outcome outcome(State success, Optional<String> mirror, List<StepResult> steps) {
    boolean ok = steps.stream().allMatch(StepResult::ok);
    boolean changed = steps.stream().anyMatch(StepResult::changed);
    String message = steps.stream().map(StepResult::toString).collect(Collectors.joining("; "));
    return new Outcome(ok ? success : State.FAILED, mirror, changed, message);
  }

  private Outcome finish(Outcome outcome) {
    last = outcome;
    metrics.record(outcome);
    String reporting = reporter.report(outcome);
    if (outcome.ok()) {
      LOG.infof("%s; %s", outcome, reporting);
    } else {
      LOG.errorf("%s; %s", outcome, reporting);
    }
    return outcome;
  }
}
