package io.dockercache.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strict parse fails on what a cluster would silently drop or reject. */
class RenderedTest {

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: d
      spec:
        selector:
          matchLabels: {app: d}
        template:
          metadata:
            labels: {app: d}
          spec:
            containers:
              - name: c
                image: busybox
                %s:
                  httpGet: {path: /q/health/ready, port: 9000}
      """;

  @Test
  void of_knownFields_parsesAsTheKind(@TempDir Path dir) throws IOException {
    write(dir, DEPLOYMENT.formatted("readinessProbe"));
    Deployment deployment = Rendered.of(dir.toString(), false).get(Deployment.class, "d");
    assertEquals("/q/health/ready",
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath());
  }

  @Test
  void of_misspelledField_fails(@TempDir Path dir) throws IOException {
    write(dir, DEPLOYMENT.formatted("readinesProbe"));
    AssertionError error = assertThrows(AssertionError.class, () -> Rendered.of(dir.toString(), false));
    assertTrue(error.getMessage().contains("readinesProbe"), error.getMessage());
  }

  @Test
  void of_customKindWhereOnlyKubernetesKindsBelong_fails(@TempDir Path dir) throws IOException {
    write(dir, """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: w
        """);
    AssertionError error = assertThrows(AssertionError.class, () -> Rendered.of(dir.toString(), false));
    assertTrue(error.getMessage().contains("Widget"), error.getMessage());
  }

  private static void write(Path dir, String object) throws IOException {
    Files.writeString(dir.resolve("object.yaml"), object);
    Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - object.yaml\n");
  }
}
