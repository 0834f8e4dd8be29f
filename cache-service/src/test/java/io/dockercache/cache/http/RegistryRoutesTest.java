package io.dockercache.cache.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Registry API as a client sees it, with the application started and the upstream unreachable
 * (nothing listens on 127.0.0.1:1), over an empty storage directory of its own.
 */
@QuarkusTest
@TestProfile(RegistryRoutesTest.UnreachableUpstream.class)
class RegistryRoutesTest {

  private static final String API_VERSION = "Docker-Distribution-API-Version";
  private static final String DIGEST = "sha256:" + "5e".repeat(32);

  /** Upstream that refuses connections, storage that starts empty. */
  public static class UnreachableUpstream implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      String storage = freshStorage();
      return Map.of(
          "docker_cache_remote_url", "http://127.0.0.1:1",
          "docker_cache_fs_mount_path", storage,
          "%test.docker_cache_fs_mount_path", storage);
    }

    private static String freshStorage() {
      try {
        Path target = Files.createDirectories(Path.of("target"));
        return Files.createTempDirectory(target, "routes-test-storage-").toAbsolutePath().toString();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The management interface's own root path ({@code /q}) is already part of this URL. */
  @TestHTTPResource(value = "/health/ready", management = true)
  URL ready;

  @Test
  void base_get_isEmptyJsonObject() {
    request().get("/v2/")
        .then()
        .statusCode(200)
        .header(API_VERSION, "registry/2.0")
        .contentType(startsWith("application/json"))
        .body(equalTo("{}"));
  }

  @Test
  void base_head_isOkWithoutBody() {
    request().head("/v2/")
        .then()
        .statusCode(200)
        .header(API_VERSION, "registry/2.0")
        .body(emptyString());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "POST,   /v2/library/alpine/blobs/uploads/",
      "PUT,    /v2/library/alpine/manifests/latest",
      "PATCH,  /v2/library/alpine/blobs/uploads/0b5c2c5e-uuid",
      "DELETE, /v2/library/alpine/manifests/" + "sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
      "DELETE, /v2/library/alpine/blobs/sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
      "POST,   /v2/",
      "PUT,    /v2/_catalog",
  })
  void mutation_isUnsupported(String method, String path) {
    expectError(request().request(method, path).then(), 405, "UNSUPPORTED");
  }

  @Test
  void blobUploadStart_get_isUnsupported() {
    expectError(request().get("/v2/library/alpine/blobs/uploads/").then(), 405, "UNSUPPORTED");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/v2/Library/Alpine/manifests/latest,        NAME_INVALID",
      "/v2/library/-alpine/tags/list,              NAME_INVALID",
      "/v2/library/alpine_/blobs/sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e, NAME_INVALID",
      "/v2/library/alpine/blobs/sha256:nothex,     DIGEST_INVALID",
      "/v2/library/alpine/blobs/latest,            DIGEST_INVALID",
      "/v2/library/alpine/manifests/sha256:123,    DIGEST_INVALID",
      "/v2/Library/Alpine/manifests/.latest,       NAME_INVALID",
  })
  void invalidPath_isBadRequestWithCode(String path, String code) {
    expectError(request().get(path).then(), 400, code);
  }

  /**
   * No manifest can have a reference that is no tag: 404, as distribution answers. The upstream
   * is unreachable here, so any attempt to ask it would show as 503 instead.
   */
  @ParameterizedTest
  @ValueSource(strings = {".INVALID_MANIFEST_NAME", "-latest", "a+b"})
  void referenceThatIsNoTag_isManifestUnknown_withoutAskingTheUpstream(String reference) {
    expectError(request().get("/v2/library/alpine/manifests/" + reference).then(), 404, "MANIFEST_UNKNOWN");
    request().head("/v2/library/alpine/manifests/" + reference)
        .then()
        .statusCode(404)
        .header(API_VERSION, "registry/2.0")
        .body(emptyString());
  }

  @Test
  void veryLongName_isNameInvalid() {
    String path = "/v2/" + "a/".repeat(1999) + "a/manifests/latest";

    expectError(request().get(path).then(), 400, "NAME_INVALID");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/v2/library/alpine/manifests/latest",
      "/v2/alpine/manifests/3.19",
      "/v2/library/alpine/manifests/" + "sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
      "/v2/library/alpine/blobs/" + "sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
      "/v2/library/alpine/tags/list",
  })
  void uncached_upstreamUnreachable_isUnavailable(String path) {
    expectError(request().get(path).then(), 503, "UNAVAILABLE");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/v2/library/alpine/manifests/latest",
      "/v2/library/alpine/blobs/" + "sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
  })
  void uncached_head_upstreamUnreachable_isUnavailableWithoutBody(String path) {
    request().head(path)
        .then()
        .statusCode(503)
        .header(API_VERSION, "registry/2.0")
        .body(emptyString());
  }

  @Test
  void catalog_emptyStore_listsNoRepositories() {
    request().get("/v2/_catalog")
        .then()
        .statusCode(200)
        .header(API_VERSION, "registry/2.0")
        .header("Link", nullValue())
        .contentType(startsWith("application/json"))
        .body(equalTo("{\"repositories\":[]}"));
  }

  @Test
  void readiness_storageUsable_isUp() {
    request().get(ready)
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem("storage"));
  }

  @Test
  void readiness_isNotServedOnRegistryPort() {
    request().get("/q/health/ready").then().statusCode(not(equalTo(200)));
  }

  /** Paths go out as written: digests keep their ':' and invalid names are not re-encoded. */
  private static RequestSpecification request() {
    return given().urlEncodingEnabled(false).log().ifValidationFails();
  }

  private static void expectError(ValidatableResponse response, int status, String code) {
    response.statusCode(status)
        .header(API_VERSION, "registry/2.0")
        .contentType(startsWith("application/json"))
        .body("errors", hasSize(1))
        .body("errors[0].code", equalTo(code))
        .body("errors[0].message", not(emptyString()));
  }
}
