package io.dockercache.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects {@code kubectl kustomize DIR} renders, each parsed as its Kubernetes kind with the
 * Fabric8 model. Strict: a field the model does not know (a typo such as {@code readinesProbe})
 * lands in an object's additional properties, and that fails the parse here.
 */
final class Rendered {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final List<HasMetadata> objects;

  private Rendered(Path dir, List<HasMetadata> objects) {
    this.dir = dir;
    this.objects = objects;
  }

  /** Renders {@code dir} (relative to {@code deployment/}); known kinds only unless {@code allowCustom}. */
  static Rendered of(String dir, boolean allowCustom) {
    Path path = Tools.deploymentDir().resolve(dir);
    String yaml = Command.run(List.of(Tools.kubectl().toString(), "kustomize", path.toString())).requireSuccess();
    List<HasMetadata> objects = new ArrayList<>();
    try {
      YAMLMapper yamlMapper = new YAMLMapper(new YAMLFactory());
      for (JsonNode doc : yamlMapper.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String where = dir + ": " + doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
        Object parsed = Serialization.unmarshal(JSON.writeValueAsString(doc));
        if (!(parsed instanceof HasMetadata object)) {
          throw new AssertionError(where + " is not a Kubernetes object: " + parsed);
        }
        if (object instanceof GenericKubernetesResource && !allowCustom) {
          throw new AssertionError(where + ": kind " + object.getApiVersion() + "/" + object.getKind()
              + " is not in the Kubernetes model");
        }
        if (!(object instanceof GenericKubernetesResource)) {
          requireKnownFields(object, where);
        }
        objects.add(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse what kubectl kustomize " + path + " printed", e);
    }
    if (objects.isEmpty()) {
      throw new AssertionError("kubectl kustomize " + path + " rendered nothing");
    }
    return new Rendered(path, objects);
  }

  Path dir() {
    return dir;
  }

  List<HasMetadata> all() {
    return objects;
  }

  <T extends HasMetadata> List<T> all(Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> kind, String name) {
    return all(kind).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
  }

  <T extends HasMetadata> T get(Class<T> kind, String name) {
    return find(kind, name).orElseThrow(() -> new AssertionError(dir + " renders no " + kind.getSimpleName()
        + " " + name + "; it renders " + objects.stream().map(o -> o.getKind() + " " + o.getMetadata().getName()).toList()));
  }

  /** The generated object whose name is {@code prefix} plus kustomize's hash suffix (or nothing). */
  <T extends HasMetadata> T generated(Class<T> kind, String prefix) {
    return all(kind).stream().filter(o -> o.getMetadata().getName().equals(prefix)
            || o.getMetadata().getName().matches(java.util.regex.Pattern.quote(prefix) + "-[a-z0-9]{10}"))
        .findFirst().orElseThrow(() -> new AssertionError(dir + " generates no " + kind.getSimpleName() + " " + prefix));
  }

  /** Walks the model's getters; any additional (unknown) property anywhere fails. */
  private static void requireKnownFields(Object value, String where) {
    if (value == null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      items.forEach(item -> requireKnownFields(item, where));
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.values().forEach(item -> requireKnownFields(item, where));
      return;
    }
    if (!(value instanceof KubernetesResource)) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError("cannot read " + getter, e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          throw new AssertionError(where + ": " + value.getClass().getSimpleName()
              + " has fields its Kubernetes kind does not know: " + extra.keySet());
        }
        continue;
      }
      requireKnownFields(child, where);
    }
  }
}
