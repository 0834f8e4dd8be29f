package io.dockercache.nativetests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code kubectl kustomize deployment/overlays/<name>} renders, as JSON trees: the objects an
 * install applies, read here so that a test runs the images the way the manifests say, not a copy.
 */
final class RenderedOverlay {

    private final String name;
    private final List<JsonNode> objects;

    private RenderedOverlay(String name, List<JsonNode> objects) {
        this.name = name;
        this.objects = objects;
    }

    static RenderedOverlay of(String name) {
        Path dir = repoRoot().resolve("deployment/overlays").resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("no overlay " + dir);
        }
        String yaml = Command.run(Duration.ofSeconds(60), Tools.kubectl(), "kustomize", dir).stdout();
        List<JsonNode> objects = new ArrayList<>();
        try {
            for (JsonNode doc : new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
                if (doc != null && doc.isObject() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse what kubectl kustomize " + dir + " printed", e);
        }
        return new RenderedOverlay(name, objects);
    }

    /** The repository root (the {@code repo.root} system property Maven sets). */
    static Path repoRoot() {
        String root = System.getProperty("repo.root");
        if (root == null || root.isBlank()) {
            throw new AssertionError("system property repo.root is not set: run these tests through"
                    + " `mvn -pl native-tests -am verify`");
        }
        return Paths.get(root).toAbsolutePath().normalize();
    }

    String name() {
        return name;
    }

    /** The object of {@code kind} named {@code name}. */
    ObjectNode get(String kind, String objectName) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && objectName.equals(o.path("metadata").path("name").asText()))
                .map(ObjectNode.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("overlay " + name + " renders no " + kind + " " + objectName));
    }

    /** The keys of every Secret the overlay renders. */
    Set<String> secretKeys() {
        Set<String> keys = new TreeSet<>();
        objects.stream().filter(o -> "Secret".equals(o.path("kind").asText()))
                .forEach(o -> o.path("data").fieldNames().forEachRemaining(keys::add));
        return keys;
    }

    /** The generated object of {@code kind} whose name is {@code prefix} plus kustomize's hash suffix (or nothing). */
    ObjectNode generated(String kind, String prefix) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()))
                .filter(o -> {
                    String n = o.path("metadata").path("name").asText();
                    return n.equals(prefix) || n.matches(java.util.regex.Pattern.quote(prefix) + "-[a-z0-9]{10}");
                })
                .map(ObjectNode.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("overlay " + name + " generates no " + kind + " " + prefix));
    }
}
