package io.dockercache.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes the packaged cache-service and config-distributor on 127.0.0.1 with
 * the job of {@code deployment/monitoring/prometheus-scrape-config.yaml}: its Kubernetes pod
 * discovery is replaced by static targets carrying the labels discovery would give the pods as
 * {@code overlays/filesystem} renders them, so the job's relabelling runs as it would in a cluster.
 * The alert rules of the PrometheusRule are loaded too; an image is pulled through the cache.
 */
class MonitoringIT {

  static final String NODE = "it-node";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final YAMLMapper YAML = new YAMLMapper();

  private static final List<AutoCloseable> started = new ArrayList<>();
  private static Path work;
  private static Path monitoring;
  private static int cachePort;
  private static int cacheManagement;
  private static int distributorManagement;
  private static PrometheusServer prometheus;
  private static UpstreamRegistry.Image image;

  @BeforeAll
  static void start() throws Exception {
    monitoring = Tools.deploymentDir().resolve("monitoring");
    work = Files.createDirectories(Path.of(System.getProperty("test.work.dir", "target/it-work")))
        .resolve("monitoring-" + System.nanoTime());
    Files.createDirectories(work);
    Tools.promtool();
    Tools.prometheus();
    try {
      UpstreamRegistry upstream = new UpstreamRegistry(Files.createDirectories(work.resolve("upstream")));
      started.add(upstream);
      image = upstream.push("it/hello", "v1", 256 * 1024);
      startCache(upstream.url());
      startDistributor();
      prometheus = new PrometheusServer(prometheusConfig(), work);
      started.add(prometheus);
      pullThroughTheCache();
    } catch (Throwable e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // keep stopping the others
      }
    }
    started.clear();
  }

  @Test
  void promtoolCheckMetrics_passesOnBothPrograms() throws Exception {
    Map<String, Integer> programs = Map.of("cache-service", cacheManagement, "config-distributor", distributorManagement);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Integer> program : programs.entrySet()) {
      Path exposition = work.resolve("metrics-" + program.getKey() + ".txt");
      Files.writeString(exposition, scrape(program.getValue()));
      Command check = Command.run(List.of(Tools.promtool().toString(), "check", "metrics"), exposition);
      if (check.exitCode() != 0) {
        problems.add(program.getKey() + " /q/metrics: promtool check metrics exited " + check.exitCode() + ":\n"
            + check.stdout() + check.stderr());
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void prometheus_scrapesBothProgramsThroughTheScrapeConfig() throws Exception {
    JsonNode up = awaitResult("up{job=\"docker-cache\",namespace=\"docker-cache\",node=\"" + NODE + "\"} == 1",
        r -> r.size() == 2);
    Set<String> components = new TreeSet<>();
    up.forEach(series -> components.add(series.path("metric").path("component").asText()));
    assertEquals(Set.of("cache-service", "config-distributor"), components,
        "both pods scraped, labelled by the job's relabelling: " + up);
    JsonNode applied = awaitResult("docker_cache_distributor_applied{component=\"config-distributor\",node=\"" + NODE + "\"}",
        r -> r.size() == 1 && r.get(0).path("value").get(1).asText().equals("1"));
    assertEquals(1, applied.size());
    awaitResult("time() - docker_cache_distributor_last_success_timestamp_seconds{node=\"" + NODE + "\"} < 300",
        r -> r.size() == 1);
  }

  @Test
  void pullThroughTheCache_prometheusShowsHitsAndBytes() throws Exception {
    awaitResult("sum(docker_cache_requests_total{component=\"cache-service\",kind=\"blob\",result=\"hit\"}) >= 1",
        r -> r.size() == 1);
    awaitResult("sum(docker_cache_requests_total{kind=\"blob\",result=\"miss\"}) >= 1", r -> r.size() == 1);
    awaitResult("sum(docker_cache_served_bytes_total{source=\"storage\"}) >= " + image.layerSize(), r -> r.size() == 1);
    awaitResult("sum(docker_cache_served_bytes_total{source=\"upstream\"}) >= " + image.layerSize(), r -> r.size() == 1);
  }

  @Test
  void dashboardAndAlerts_nameOnlyExportedMetrics_andEvaluate() throws Exception {
    awaitResult("sum(docker_cache_requests_total{result=\"hit\"}) >= 1", r -> r.size() == 1);
    Set<String> exported = new TreeSet<>(PromQl.exported(scrape(cacheManagement)));
    exported.addAll(PromQl.exported(scrape(distributorManagement)));
    exported.add("up"); // written by Prometheus for every target
    Map<String, String> expressions = new LinkedHashMap<>(PromQl.dashboard(monitoring.resolve("grafana-dashboard.json")));
    expressions.putAll(PromQl.rules(monitoring.resolve("prometheusrule.yaml")));
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : expressions.entrySet()) {
      Set<String> names = PromQl.metricNames(e.getValue());
      if (names.isEmpty()) {
        problems.add(e.getKey() + " names no metric: " + e.getValue());
      }
      for (String name : names) {
        if (!exported.contains(name)) {
          problems.add(e.getKey() + " uses " + name + ", which neither program exports");
        }
      }
      try {
        prometheus.query(PromQl.withoutGrafanaVariables(e.getValue()));
      } catch (AssertionError invalid) {
        problems.add(e.getKey() + " does not evaluate: " + invalid.getMessage());
      }
    }
    assertEquals(List.of(), problems, "exported: " + exported);
    // Prometheus loaded the very same rules from the PrometheusRule's spec.
    JsonNode groups = prometheus.api("/api/v1/rules").path("groups");
    Set<String> loaded = new TreeSet<>();
    groups.forEach(g -> g.path("rules").forEach(r -> loaded.add("alert " + r.path("name").asText())));
    assertEquals(new TreeSet<>(PromQl.rules(monitoring.resolve("prometheusrule.yaml")).keySet()), loaded);
  }

  @Test
  void promtoolCheckRules_passesOnThePrometheusRuleSpec() throws Exception {
    Path rules = work.resolve("rules-check.yml");
    Files.writeString(rules, PromQl.rulesFile(monitoring.resolve("prometheusrule.yaml")));
    Command check = Command.run(List.of(Tools.promtool().toString(), "check", "rules", rules.toString()));
    assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
    assertTrue(check.stdout().contains("SUCCESS"), check.stdout());
  }

  private static void startCache(String upstream) throws IOException {
    Path dir = Files.createDirectories(work.resolve("cache"));
    cachePort = FreePort.next();
    cacheManagement = FreePort.next();
    Files.writeString(dir.resolve("config.yaml"), """
        docker_cache_storage_backend: filesystem
        docker_cache_fs_mount_path: %s
        docker_cache_remote_url: %s
        """.formatted(dir.resolve("storage"), upstream));
    ChildProcess cache = ChildProcess.start("cache-service", ChildProcess.javaJar("cache.runner"), Map.of(
        "DOCKER_CACHE_CONFIG", dir.resolve("config.yaml").toString(),
        "QUARKUS_HTTP_HOST", "127.0.0.1",
        "QUARKUS_HTTP_PORT", Integer.toString(cachePort),
        "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
        "QUARKUS_MANAGEMENT_PORT", Integer.toString(cacheManagement)), dir.resolve("cache.log"));
    started.add(cache);
    cache.awaitHttp200("http://127.0.0.1:" + cacheManagement + "/q/health/ready", Duration.ofSeconds(60));
  }

  private static void startDistributor() throws IOException {
    Path dir = Files.createDirectories(work.resolve("distributor"));
    Path nodeRoot = Files.createDirectories(dir.resolve("node-root"));
    Files.createDirectories(nodeRoot.resolve("etc/containerd"));
    distributorManagement = FreePort.next();
    Files.writeString(dir.resolve("config.yaml"), """
        enable_docker_cache: true
        docker_cache_host: 127.0.0.1:%d
        """.formatted(cachePort));
    ChildProcess distributor = ChildProcess.start("config-distributor", ChildProcess.javaJar("distributor.runner"), Map.of(
        "DOCKER_CACHE_CONFIG", dir.resolve("config.yaml").toString(),
        "DOCKER_CACHE_NODE_ROOT", nodeRoot.toString(),
        "DOCKER_CACHE_REPORT_TIMEOUT", "3s",
        // Outside a cluster: the API server is a closed local port, so reporting is skipped.
        "KUBERNETES_MASTER", "http://127.0.0.1:" + FreePort.next(),
        "QUARKUS_HTTP_HOST", "127.0.0.1",
        "QUARKUS_HTTP_PORT", Integer.toString(FreePort.next()),
        "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
        "QUARKUS_MANAGEMENT_PORT", Integer.toString(distributorManagement)), dir.resolve("distributor.log"));
    started.add(distributor);
    // Ready means applied: containerd's hosts.toml now names the cache.
    distributor.awaitHttp200("http://127.0.0.1:" + distributorManagement + "/q/health/ready", Duration.ofSeconds(60));
  }

  /** The scrape job, pod discovery swapped for the two local programs labelled as their pods. */
  private static Path prometheusConfig() throws IOException {
    JsonNode file = YAML.readTree(monitoring.resolve("prometheus-scrape-config.yaml").toFile());
    ObjectNode job = (ObjectNode) file.path("scrape_configs").get(0);
    assertEquals("docker-cache", job.path("job_name").asText());
    assertTrue(job.remove("kubernetes_sd_configs") != null, "the job discovers pods");
    job.put("scrape_interval", "1s");
    job.put("scrape_timeout", "1s");
    Rendered install = Rendered.of("overlays/filesystem", false);
    ArrayNode statics = job.putArray("static_configs");
    statics.add(target(install.get(Deployment.class, "docker-cache").getSpec().getTemplate(), "docker-cache-0", cacheManagement));
    statics.add(target(install.get(DaemonSet.class, "config-distributor").getSpec().getTemplate(),
        "config-distributor-0", distributorManagement));
    Path rules = work.resolve("rules.yml");
    Files.writeString(rules, PromQl.rulesFile(monitoring.resolve("prometheusrule.yaml")));
    ObjectNode config = YAML.createObjectNode();
    config.putObject("global").put("scrape_interval", "1s").put("evaluation_interval", "1s");
    config.putArray("rule_files").add(rules.toString());
    config.putArray("scrape_configs").add(job);
    Path path = work.resolve("prometheus.yml");
    YAML.writeValue(path.toFile(), config);
    return path;
  }

  /** What Kubernetes pod discovery would say about the pod, on 127.0.0.1 and the program's real port. */
  private static ObjectNode target(PodTemplateSpec pod, String podName, int managementPort) {
    ObjectNode target = YAML.createObjectNode();
    target.putArray("targets").add("127.0.0.1");
    ObjectNode labels = target.putObject("labels");
    labels.put("__meta_kubernetes_namespace", OverlaysTest.NAMESPACE);
    labels.put("__meta_kubernetes_pod_name", podName);
    labels.put("__meta_kubernetes_pod_node_name", NODE);
    pod.getMetadata().getLabels().forEach((k, v) -> labels.put("__meta_kubernetes_pod_label_" + sanitize(k), v));
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    assertEquals("9000", annotations.get("prometheus.io/port"), "pods announce the management port");
    annotations.forEach((k, v) -> labels.put("__meta_kubernetes_pod_annotation_" + sanitize(k),
        k.equals("prometheus.io/port") ? Integer.toString(managementPort) : v));
    return target;
  }

  private static String sanitize(String name) {
    return name.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  private static void pullThroughTheCache() throws Exception {
    String base = "http://127.0.0.1:" + cachePort + "/v2/" + image.repository();
    HttpResponse<byte[]> manifest = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/manifests/" + image.tag()))
        .header("Accept", UpstreamRegistry.MANIFEST_TYPE).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, manifest.statusCode(), new String(manifest.body()));
    for (int pull = 1; pull <= 2; pull++) {
      HttpResponse<byte[]> blob = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/blobs/" + image.layerDigest())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, blob.statusCode(), "pull " + pull);
      assertEquals(image.layerDigest(), "sha256:" + UpstreamRegistry.sha256(blob.body()), "pull " + pull);
    }
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
        .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertFalse(response.body().isBlank());
    return response.body();
  }

  /** Polls an instant query until its result satisfies {@code done} (scrapes run every second). */
  private static JsonNode awaitResult(String promql, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode result = null;
    while (System.nanoTime() < deadline) {
      result = prometheus.query(promql);
      if (done.test(result)) {
        return result;
      }
      ChildProcess.sleep(500);
    }
    throw new AssertionError("PromQL " + promql + " gave " + result + " for 30 s; targets: "
        + prometheus.api("/api/v1/targets").path("activeTargets") + "\n" + prometheus.logTail());
  }
}
