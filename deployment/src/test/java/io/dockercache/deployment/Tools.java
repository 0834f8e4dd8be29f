package io.dockercache.deployment;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The Debian tools these tests run. A missing one fails the test with the command that installs
 * it: the tests never skip silently (DESIGN.md §5).
 */
final class Tools {

  private static final String INSTALL = "bash scripts/install-test-prereqs.sh";

  private Tools() {
  }

  /** kubectl with its built-in kustomize (the machine's, or Debian's kubernetes-client). */
  static Path kubectl() {
    return require("kubectl", "kubernetes-client");
  }

  static Path prometheus() {
    return require("prometheus", "prometheus");
  }

  static Path promtool() {
    return require("promtool", "prometheus");
  }

  static Path dockerRegistry() {
    return require("docker-registry", "docker-registry");
  }

  /** The {@code deployment/} directory: manifests, overlays and monitoring files. */
  static Path deploymentDir() {
    String dir = System.getProperty("deployment.dir");
    Path path = dir == null ? Paths.get("").toAbsolutePath() : Paths.get(dir);
    if (!Files.isDirectory(path.resolve("overlays"))) {
      throw new AssertionError(path + " has no overlays/: run the tests through Maven (-pl deployment)");
    }
    return path;
  }

  private static Path require(String name, String debianPackage) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Paths.get(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(name + " is not installed: run `" + INSTALL + "` (Debian package "
        + debianPackage + ": apt-get install " + debianPackage + ")");
  }
}
