package io.dockercache.distributor.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * dockerd's {@code daemon.json} as a tree that keeps every value exactly (big integers, decimals
 * as written, unicode, key order), and the two merges we make on it: our mirrors in, our entries
 * out. Only {@code registry-mirrors} and {@code insecure-registries} are ever touched.
 */
final class DaemonJson {

  static final String MIRRORS = "registry-mirrors";
  static final String INSECURE = "insecure-registries";

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

  private DaemonJson() {}

  /** A merged document and the entries that are ours in it. */
  record Merge(ObjectNode json, Additions additions) {}

  /** The file's object; no file or only whitespace is {@code {}}. */
  static ObjectNode parse(byte[] content) throws InvalidDaemonJson {
    if (content == null || new String(content, StandardCharsets.UTF_8).isBlank()) {
      return MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(content);
    } catch (IOException e) {
      throw new InvalidDaemonJson("not valid JSON: " + firstLine(e));
    }
    if (!(node instanceof ObjectNode object)) {
      throw new InvalidDaemonJson("not a JSON object but " + node.getNodeType().name().toLowerCase());
    }
    strings(object, MIRRORS);
    strings(object, INSECURE);
    return object;
  }

  /**
   * Ours first in {@code registry-mirrors}, in order (and in {@code insecure-registries} for http);
   * ours that are no longer wanted out. An entry the admin had already stays the admin's.
   */
  static Merge apply(ObjectNode original, Mirrors wanted, Additions previous) throws InvalidDaemonJson {
    ObjectNode json = original.deepCopy();
    List<String> mirrors = strings(json, MIRRORS);
    List<String> insecure = strings(json, INSECURE);
    List<String> wantedHosts = wanted.insecureHosts();
    mirrors.removeIf(m -> previous.ownsMirror(m) && !wants(wanted, m));
    insecure.removeIf(h -> previous.insecure().contains(h) && !wantedHosts.contains(h));

    List<String> ownedMirrors = new ArrayList<>();
    for (String url : wanted.urls()) {
      boolean admins = mirrors.stream().anyMatch(m -> sameMirror(m, url)) && !previous.ownsMirror(url);
      if (!admins) {
        ownedMirrors.add(url);
      }
    }
    mirrors.removeIf(m -> wants(wanted, m));
    mirrors.addAll(0, wanted.urls());
    List<String> ownedInsecure = new ArrayList<>();
    for (String host : wantedHosts) {
      boolean hadHost = insecure.contains(host);
      if (!hadHost) {
        insecure.add(host);
      }
      if (!hadHost || previous.insecure().contains(host)) {
        ownedInsecure.add(host);
      }
    }
    put(json, MIRRORS, mirrors, original.has(MIRRORS) || !mirrors.isEmpty());
    put(json, INSECURE, insecure, original.has(INSECURE) || !insecure.isEmpty());
    return new Merge(json, new Additions(ownedMirrors, ownedInsecure));
  }

  private static boolean wants(Mirrors wanted, String url) {
    return wanted.urls().stream().anyMatch(w -> sameMirror(w, url));
  }

  /**
   * Our entries out, everything else kept. A key stays even when its list becomes empty: dockerd's
   * reload leaves a setting unchanged when its key is absent, so only {@code []} clears it live.
   */
  static ObjectNode cleanup(ObjectNode original, Additions previous) throws InvalidDaemonJson {
    ObjectNode json = original.deepCopy();
    List<String> mirrors = strings(json, MIRRORS);
    List<String> insecure = strings(json, INSECURE);
    mirrors.removeIf(previous::ownsMirror);
    insecure.removeIf(previous.insecure()::contains);
    put(json, MIRRORS, mirrors, original.has(MIRRORS));
    put(json, INSECURE, insecure, original.has(INSECURE));
    return json;
  }

  /** The mirror list of a document, as dockerd would read it. */
  static List<String> mirrors(ObjectNode json) throws InvalidDaemonJson {
    return strings(json, MIRRORS);
  }

  /** Pretty JSON with the original's indent unit (two spaces when it had none), ending in a newline. */
  static byte[] render(ObjectNode json, byte[] original) {
    DefaultIndenter indenter = new DefaultIndenter(indentOf(original), "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator(""));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    try {
      return (MAPPER.writer(printer).writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render daemon.json", e);
    }
  }

  /** dockerd treats {@code http://h:p} and {@code http://h:p/} as one mirror. */
  static boolean sameMirror(String a, String b) {
    return stripSlash(a).equals(stripSlash(b));
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The whitespace that starts the first indented line, e.g. two spaces, four, or a tab. */
  static String indentOf(byte[] original) {
    if (original == null) {
      return "  ";
    }
    String text = new String(original, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    while (newline >= 0 && newline + 1 < text.length()) {
      int end = newline + 1;
      while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) {
        end++;
      }
      if (end > newline + 1 && end < text.length() && text.charAt(end) != '\n') {
        return text.substring(newline + 1, end);
      }
      newline = text.indexOf('\n', newline + 1);
    }
    return "  ";
  }

  private static List<String> strings(ObjectNode json, String key) throws InvalidDaemonJson {
    JsonNode node = json.get(key);
    List<String> values = new ArrayList<>();
    if (node == null) {
      return values;
    }
    if (!node.isArray()) {
      throw new InvalidDaemonJson("\"" + key + "\" is not a list");
    }
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        throw new InvalidDaemonJson("\"" + key + "\" holds a non-string: " + element);
      }
      values.add(element.textValue());
    }
    return values;
  }

  private static void put(ObjectNode json, String key, List<String> values, boolean keep) {
    if (!keep) {
      json.remove(key);
      return;
    }
    ArrayNode array = json.arrayNode();
    values.forEach(array::add);
    json.set(key, array);
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
