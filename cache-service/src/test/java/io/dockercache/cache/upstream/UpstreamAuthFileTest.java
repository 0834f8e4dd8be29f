package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamAuthFileTest {

  @TempDir
  Path dir;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(String json) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void basic_byRegistryHost_fromAuthOrUsernamePassword() throws IOException {
    UpstreamAuthFile auth = UpstreamAuthFile.load(write("{\"auths\": {"
        + "\"ghcr.io\": {\"auth\": \"" + b64("me:tok") + "\"},"
        + "\"https://nvcr.io/v2/\": {\"username\": \"$oauthtoken\", \"password\": \"k\"}}}"));

    assertEquals(Optional.of("Basic " + b64("me:tok")), auth.basic("ghcr.io"));
    assertEquals(Optional.of("Basic " + b64("$oauthtoken:k")), auth.basic("nvcr.io"));
    assertEquals(Optional.empty(), auth.basic("quay.io"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io"})
  void basic_dockerHubByAnyOfItsNames(String key) throws IOException {
    UpstreamAuthFile auth = UpstreamAuthFile.load(write(
        "{\"auths\": {\"" + key + "\": {\"auth\": \"" + b64("hub:pw") + "\"}}}"));

    assertEquals(Optional.of("Basic " + b64("hub:pw")), auth.basic("docker.io"));
  }

  @Test
  void basic_firstNameThatHasAnEntryWins() throws IOException {
    UpstreamAuthFile auth = UpstreamAuthFile.load(write("{\"auths\": {"
        + "\"127.0.0.1:5002\": {\"auth\": \"" + b64("port:x") + "\"}}}"));

    assertEquals(Optional.of("Basic " + b64("port:x")), auth.basic("ghcr.io", "127.0.0.1:5002", "127.0.0.1"));
  }

  @Test
  void load_absentFile_isNoCredentials_andAFileWrittenLaterIsRead() throws IOException {
    Path file = dir.resolve("config.json");
    UpstreamAuthFile auth = UpstreamAuthFile.load(file);
    assertEquals(Optional.empty(), auth.basic("ghcr.io"));

    Files.writeString(file, "{\"auths\": {\"ghcr.io\": {\"auth\": \"" + b64("a:b") + "\"}}}");
    auth.reloadIfChanged();

    assertEquals(Optional.of("Basic " + b64("a:b")), auth.basic("ghcr.io"));
  }

  @Test
  void reloadIfChanged_newContent_replaces_badContent_keepsTheOld() throws IOException {
    Path file = write("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + b64("a:b") + "\"}}}");
    UpstreamAuthFile auth = UpstreamAuthFile.load(file);

    Files.writeString(file, "{\"auths\": {\"ghcr.io\": {\"auth\": \"" + b64("new:token-longer") + "\"}}}");
    auth.reloadIfChanged();
    assertEquals(Optional.of("Basic " + b64("new:token-longer")), auth.basic("ghcr.io"));

    Files.writeString(file, "not json at all, and of another size");
    auth.reloadIfChanged();
    assertEquals(Optional.of("Basic " + b64("new:token-longer")), auth.basic("ghcr.io"));

    Files.delete(file);
    auth.reloadIfChanged();
    assertEquals(Optional.empty(), auth.basic("ghcr.io"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not json                                 | is not JSON",
      "{}                                       | has no \"auths\" object",
      "{\"auths\": []}                          | has no \"auths\" object",
      "{\"auths\": {\"ghcr.io\": {}}}           | \"ghcr.io\" holds no",
      "{\"auths\": {\"ghcr.io\": {\"auth\": \"bm9jb2xvbg==\"}}} | \"ghcr.io\" holds no",
      "{\"auths\": {\"ghcr.io\": {\"auth\": \"%%%\"}}}         | \"ghcr.io\" holds no",
  })
  void load_badFile_namesKeyPathAndProblem_neverTheSecret(String json, String problem) throws IOException {
    Path file = write(json);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamAuthFile.load(file));

    assertTrue(e.getMessage().startsWith("docker_cache_upstream_auth_file: " + file), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
    assertTrue(!e.getMessage().contains("bm9jb2xvbg"), e.getMessage());
  }
}
