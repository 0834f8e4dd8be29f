package io.dockercache.distributor.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of daemon.json that we added (and so may remove), kept beside it in
 * {@code daemon.json.docker-cache}: an entry the admin had already is never ours.
 */
record Additions(List<String> mirrors, List<String> insecure) {

  static final Additions NONE = new Additions(List.of(), List.of());

  Additions {
    mirrors = List.copyOf(mirrors);
    insecure = List.copyOf(insecure);
  }

  boolean ownsMirror(String url) {
    return mirrors.stream().anyMatch(m -> DaemonJson.sameMirror(m, url));
  }

  /** These and {@code other}'s, each once: what is ours while daemon.json changes from one to the other. */
  Additions with(Additions other) {
    List<String> allMirrors = new ArrayList<>(mirrors);
    other.mirrors.stream().filter(m -> !ownsMirror(m)).forEach(allMirrors::add);
    List<String> allInsecure = new ArrayList<>(insecure);
    other.insecure.stream().filter(h -> !insecure.contains(h)).forEach(allInsecure::add);
    return new Additions(allMirrors, allInsecure);
  }

  boolean isEmpty() {
    return mirrors.isEmpty() && insecure.isEmpty();
  }

  /** The record at {@code file}; none when there is no file or it is unreadable. */
  static Additions read(Path file) {
    try {
      JsonNode node = DaemonJson.MAPPER.readTree(Files.readAllBytes(file));
      return new Additions(texts(node.get("registry-mirrors")), texts(node.get("insecure-registries")));
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  byte[] toJson() {
    ObjectNode node = DaemonJson.MAPPER.createObjectNode();
    ArrayNode m = node.putArray("registry-mirrors");
    mirrors.forEach(m::add);
    ArrayNode i = node.putArray("insecure-registries");
    insecure.forEach(i::add);
    return (node.toString() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(e -> out.add(e.asText()));
    }
    return out;
  }
}
