package io.dockercache.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real Prometheus on 127.0.0.1 with a given configuration; its HTTP API for queries. */
final class PrometheusServer implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int port = FreePort.next();
  private final ChildProcess process;

  PrometheusServer(Path config, Path dir) {
    process = ChildProcess.start("prometheus", List.of(Tools.prometheus().toString(),
        "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"), Map.of(), dir.resolve("prometheus.log"));
    process.awaitHttp200(url() + "/-/ready", Duration.ofSeconds(60));
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** {@code data} of a GET on the API, failing unless its status is "success". */
  JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("GET " + pathAndQuery + " -> " + response.statusCode() + " " + response.body());
    }
    return body.path("data");
  }

  /** An instant query's result vector. */
  JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return data.path("result");
  }

  String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    process.close();
  }
}
