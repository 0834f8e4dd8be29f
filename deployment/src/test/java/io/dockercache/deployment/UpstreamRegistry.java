package io.dockercache.deployment;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The distribution registry ({@code docker-registry serve}) on 127.0.0.1 as the cache's upstream,
 * holding one small image pushed through its API.
 */
final class UpstreamRegistry implements AutoCloseable {

  static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port = FreePort.next();
  private final ChildProcess process;

  /** What was pushed: repository, tag, the layer's digest and size. */
  record Image(String repository, String tag, String layerDigest, long layerSize) {
  }

  UpstreamRegistry(Path dir) throws IOException {
    Path config = dir.resolve("registry.yml");
    Files.createDirectories(dir.resolve("root"));
    Files.writeString(config, """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: %s
        http:
          addr: 127.0.0.1:%d
        """.formatted(dir.resolve("root"), port));
    process = ChildProcess.start("docker-registry", List.of(Tools.dockerRegistry().toString(), "serve", config.toString()),
        Map.of(), dir.resolve("registry.log"));
    process.awaitHttp200(url() + "/v2/", Duration.ofSeconds(30));
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Pushes a config blob, one layer of {@code layerSize} random bytes and their manifest. */
  Image push(String repository, String tag, int layerSize) throws IOException, InterruptedException {
    byte[] layer = new byte[layerSize];
    new Random(42).nextBytes(layer);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(StandardCharsets.UTF_8);
    String layerDigest = pushBlob(repository, layer);
    String configDigest = pushBlob(repository, config);
    String manifest = """
        {"schemaVersion":2,"mediaType":"%s",
         "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"%s"},
         "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"}]}"""
        .formatted(MANIFEST_TYPE, config.length, configDigest, layer.length, layerDigest);
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/manifests/" + tag))
        .header("Content-Type", MANIFEST_TYPE).PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(),
        HttpResponse.BodyHandlers.ofString());
    require(put, 201, "push manifest");
    return new Image(repository, tag, layerDigest, layer.length);
  }

  private String pushBlob(String repository, byte[] bytes) throws IOException, InterruptedException {
    String digest = "sha256:" + sha256(bytes);
    HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    require(start, 202, "start upload");
    String location = start.headers().firstValue("Location").orElseThrow();
    URI upload = URI.create(url()).resolve(location);
    String separator = upload.getQuery() == null ? "?" : "&";
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
        .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
        HttpResponse.BodyHandlers.ofString());
    require(put, 201, "upload blob " + digest);
    return digest;
  }

  private static void require(HttpResponse<String> response, int status, String what) {
    if (response.statusCode() != status) {
      throw new AssertionError(what + ": " + response.statusCode() + " " + response.body());
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
