package io.dockercache.distributor.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.StepResult;
import io.dockercache.distributor.reconcile.Mirror;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Apply twice, clean up twice, over real daemon.json files in a temp node root (no dockerd). */
class DaemonJsonMergeTest {

  private static final Mirror MIRROR = Mirror.of("10.1.2.3:30500");
  private static final Mirrors MIRRORS = Mirrors.of(MIRROR);

  private static final String RICH = """
      {
        "log-driver": "json-file",
        "log-opts": {
          "max-size": "10m",
          "max-file": "3"
        },
        "data-root": "/mnt/docker-data",
        "runtimes": {
          "nvidia": {
            "path": "/usr/bin/nvidia-container-runtime",
            "runtimeArgs": []
          }
        },
        "default-ulimits": {
          "nofile": {
            "Name": "nofile",
            "Hard": 65536,
            "Soft": 1024
          }
        },
        "max-concurrent-downloads": 9007199254740993,
        "ratio": 0.10,
        "huge": 123456789012345678901234567890,
        "label": "caché ✓ 日本 \\u00e9 \\"q\\"",
        "debug": false,
        "nothing": null
      }
      """;

  static Stream<Arguments> validFiles() {
    return Stream.of(
        Arguments.of("no file", null),
        Arguments.of("empty object", "{}"),
        Arguments.of("empty file", ""),
        Arguments.of("rich, 2-space indent", RICH),
        Arguments.of("rich, 4-space indent", RICH.replace("\n  ", "\n    ").replace("\n      ", "\n        ")),
        Arguments.of("existing mirrors", """
            {
                "registry-mirrors": ["https://mirror.example.com", "http://10.9.9.9:5000"],
                "insecure-registries": ["10.9.9.9:5000", "192.168.0.0/16"]
            }
            """),
        Arguments.of("empty lists", "{\"registry-mirrors\": [], \"insecure-registries\": []}"),
        Arguments.of("one line", "{\"log-level\":\"warn\",\"registry-mirrors\":[\"https://m.example\"]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void applyTwice_cleanupTwice_originalMeaningBack(String name, String original, @TempDir Path root)
      throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Path file = paths.daemonJson();
    if (original != null) {
      Files.writeString(file, original);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));

    StepResult first = configurer.apply(MIRRORS);

    assertTrue(first.ok(), first::toString);
    assertTrue(first.changed(), "first apply changes the node");
    ObjectNode applied = DaemonJson.parse(Files.readAllBytes(file));
    assertEquals(MIRROR.url(), applied.get("registry-mirrors").get(0).asText(), "ours first");
    assertTrue(texts(applied.get("insecure-registries")).contains("10.1.2.3:30500"), "http mirror is insecure");
    if (original != null) {
      ObjectNode before = DaemonJson.parse(original.getBytes(StandardCharsets.UTF_8));
      assertEquals(withoutOurKeys(before), withoutOurKeys(applied), "every other key and value kept");
      List<String> others = texts(before.get("registry-mirrors"));
      assertEquals(others, texts(applied.get("registry-mirrors")).subList(1, others.size() + 1),
          "the admin's mirrors kept, in order, after ours");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertArrayEquals(original.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(configurer.backupFile()),
          "the original is backed up");
    }
    assertNoTempFiles(paths);

    FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(file, old);
    byte[] afterFirst = Files.readAllBytes(file);
    StepResult second = configurer.apply(MIRRORS);

    assertTrue(second.ok(), second::toString);
    assertFalse(second.changed(), "second apply changes nothing: " + second);
    assertEquals(old, Files.getLastModifiedTime(file), "second apply does not write");
    assertArrayEquals(afterFirst, Files.readAllBytes(file));

    StepResult cleanup = configurer.cleanup();
    assertTrue(cleanup.ok(), cleanup::toString);
    ObjectNode cleaned = DaemonJson.parse(Files.readAllBytes(file));
    ObjectNode expected = DaemonJson.parse(original == null ? null : original.getBytes(StandardCharsets.UTF_8));
    assertEquals(withoutEmptyOurKeys(expected), withoutEmptyOurKeys(cleaned), "original meaning back");
    assertFalse(Files.exists(configurer.additionsFile()), "the record of our entries is gone");
    assertFalse(Files.exists(configurer.backupFile()), "the backup is gone");

    Files.setLastModifiedTime(file, old);
    StepResult again = configurer.cleanup();
    assertTrue(again.ok(), again::toString);
    assertFalse(again.changed(), "second cleanup changes nothing");
    assertEquals(old, Files.getLastModifiedTime(file), "second cleanup does not write");
    assertNoTempFiles(paths);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void apply_preservesNumbersAndUnicodeTextually(String name, String original, @TempDir Path root)
      throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    if (original != null) {
      Files.writeString(paths.daemonJson(), original);
    }

    new DockerConfigurer(paths, Duration.ofSeconds(5)).apply(MIRRORS);

    String written = Files.readString(paths.daemonJson());
    if (original != null && original.contains("9007199254740993")) {
      assertTrue(written.contains("9007199254740993"), written);
      assertTrue(written.contains("123456789012345678901234567890"), written);
      assertTrue(written.contains("0.10"), written);
      assertTrue(written.contains("caché ✓ 日本 é \\\"q\\\""), written);
      String indent = original.contains("\n    \"log-driver\"") ? "    " : "  ";
      assertTrue(written.contains("\n" + indent + "\"log-driver\": \"json-file\""), written);
    }
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        Arguments.of("invalid JSON", "{\"log-driver\": \"json-file\",,}"),
        Arguments.of("a JSON array", "[\"registry-mirrors\"]"),
        Arguments.of("a JSON string", "\"hello\""),
        Arguments.of("duplicate keys", "{\"debug\": true, \"debug\": false}"),
        Arguments.of("trailing data", "{} {}"),
        Arguments.of("mirrors not a list", "{\"registry-mirrors\": \"http://x:5000\"}"),
        Arguments.of("mirrors hold a number", "{\"registry-mirrors\": [5000]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void apply_invalidFile_untouchedAndFailureReported(String name, String original, @TempDir Path root)
      throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Files.writeString(paths.daemonJson(), original);
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));

    StepResult applied = configurer.apply(MIRRORS);
    StepResult cleaned = configurer.cleanup();

    assertFalse(applied.ok(), "apply of " + name + " fails: " + applied);
    assertTrue(applied.message().contains("left untouched"), applied.message());
    assertFalse(cleaned.ok(), "cleanup of " + name + " fails: " + cleaned);
    assertEquals(original, Files.readString(paths.daemonJson()), "byte-identical");
    try (Stream<Path> files = Files.list(paths.dockerEtc())) {
      assertEquals(List.of(paths.daemonJson()), files.toList(), "no backup, record or temp file");
    }
  }

  @org.junit.jupiter.api.Test
  void apply_mirrorChanged_oldOneOfOursReplaced(@TempDir Path root) throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Files.writeString(paths.daemonJson(), "{\"registry-mirrors\": [\"https://admin.example\"]}");
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));
    configurer.apply(MIRRORS);

    configurer.apply(Mirrors.of(Mirror.of("https://10.7.7.7:30501")));

    ObjectNode json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of("https://10.7.7.7:30501", "https://admin.example"), texts(json.get("registry-mirrors")));
    assertEquals(List.of(), texts(json.get("insecure-registries")), "the old http host of ours is gone");
    configurer.cleanup();
    json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of("https://admin.example"), texts(json.get("registry-mirrors")));
  }

  @org.junit.jupiter.api.Test
  void cleanup_adminsOwnEntryForTheSameMirror_isKept(@TempDir Path root) throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Files.writeString(paths.daemonJson(),
        "{\"registry-mirrors\": [\"http://10.1.2.3:30500\"], \"insecure-registries\": [\"10.1.2.3:30500\"]}");
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));

    StepResult applied = configurer.apply(MIRRORS);
    configurer.cleanup();

    assertFalse(applied.changed(), applied::toString);
    ObjectNode json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of("http://10.1.2.3:30500"), texts(json.get("registry-mirrors")));
    assertEquals(List.of("10.1.2.3:30500"), texts(json.get("insecure-registries")));
  }

  @org.junit.jupiter.api.Test
  void apply_severalMirrors_allFirstInOrder_leaverRemoved_cleanupLeavesOnlyTheAdmins(@TempDir Path root)
      throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Files.writeString(paths.daemonJson(), "{\"registry-mirrors\": [\"https://admin.example\"],"
        + " \"insecure-registries\": [\"192.168.0.0/16\"]}");
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));
    Mirror a = Mirror.of("10.0.0.9:30500");
    Mirror b = Mirror.of("10.0.0.12:30500");
    Mirror c = Mirror.of("10.0.0.13:30500");

    assertTrue(configurer.apply(new Mirrors(List.of(a, b, c))).ok());

    ObjectNode json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of(a.url(), b.url(), c.url(), "https://admin.example"), texts(json.get("registry-mirrors")));
    assertEquals(List.of("192.168.0.0/16", "10.0.0.9:30500", "10.0.0.12:30500", "10.0.0.13:30500"),
        texts(json.get("insecure-registries")));

    StepResult moved = configurer.apply(new Mirrors(List.of(c, a)));

    assertTrue(moved.ok() && moved.changed(), moved::toString);
    json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of(c.url(), a.url(), "https://admin.example"), texts(json.get("registry-mirrors")),
        "the mirror that left the list is gone, the order is the new one");
    assertEquals(List.of("192.168.0.0/16", "10.0.0.9:30500", "10.0.0.13:30500"), texts(json.get("insecure-registries")));

    configurer.cleanup();
    json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of("https://admin.example"), texts(json.get("registry-mirrors")));
    assertEquals(List.of("192.168.0.0/16"), texts(json.get("insecure-registries")));
  }

  @org.junit.jupiter.api.Test
  void apply_adminHadOneOfSeveral_thatOneStaysTheAdmins(@TempDir Path root) throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Files.writeString(paths.daemonJson(),
        "{\"registry-mirrors\": [\"http://10.0.0.12:30500\"], \"insecure-registries\": [\"10.0.0.12:30500\"]}");
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));
    Mirror own = Mirror.of("10.0.0.9:30500");
    Mirror admins = Mirror.of("10.0.0.12:30500");

    configurer.apply(new Mirrors(List.of(own, admins)));
    ObjectNode json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of(own.url(), admins.url()), texts(json.get("registry-mirrors")));

    configurer.apply(Mirrors.of(own));
    json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of(own.url(), admins.url()), texts(json.get("registry-mirrors")),
        "the admin's entry is not ours to remove when it leaves our list");

    configurer.cleanup();
    json = DaemonJson.parse(Files.readAllBytes(paths.daemonJson()));
    assertEquals(List.of(admins.url()), texts(json.get("registry-mirrors")));
    assertEquals(List.of("10.0.0.12:30500"), texts(json.get("insecure-registries")));
  }

  private static ObjectNode withoutOurKeys(ObjectNode json) {
    ObjectNode copy = json.deepCopy();
    copy.remove(List.of(DaemonJson.MIRRORS, DaemonJson.INSECURE));
    return copy;
  }

  /** An empty list and an absent key mean the same to dockerd at start. */
  private static ObjectNode withoutEmptyOurKeys(ObjectNode json) {
    ObjectNode copy = json.deepCopy();
    for (String key : List.of(DaemonJson.MIRRORS, DaemonJson.INSECURE)) {
      if (copy.has(key) && copy.get(key).isEmpty()) {
        copy.remove(key);
      }
    }
    return copy;
  }

  private static List<String> texts(JsonNode array) {
    return array == null ? List.of() : Stream.of(array).flatMap(a -> java.util.stream.StreamSupport
        .stream(a.spliterator(), false)).map(JsonNode::asText).toList();
  }

  private static void assertNoTempFiles(NodePaths paths) throws Exception {
    try (Stream<Path> files = Files.list(paths.dockerEtc())) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
    }
  }
}
