package io.dockercache.nativetests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The Debian tools the tests run as external processes. A missing one fails the test with the
 * command that installs it: these tests never skip silently (DESIGN.md §5).
 */
final class Tools {

    /** Debian's own directories first: /usr/local/bin may hold a different docker client. */
    private static final List<String> SYSTEM_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private Tools() {
    }

    static Path dockerRegistry() {
        return require("docker-registry", "docker-registry");
    }

    static Path dockerd() {
        return require("dockerd", "docker.io");
    }

    static Path docker() {
        return require("docker", "docker.io");
    }

    static Path containerd() {
        return require("containerd", "containerd");
    }

    static Path ctr() {
        return require("ctr", "containerd");
    }

    static Path skopeo() {
        return require("skopeo", "skopeo");
    }

    static Path umoci() {
        return require("umoci", "umoci");
    }

    static Path busybox() {
        return require("busybox", "busybox-static");
    }

    static Path htpasswd() {
        return require("htpasswd", "apache2-utils");
    }

    static Path openssl() {
        return require("openssl", "openssl");
    }

    /** kubectl with its built-in kustomize renders deployment/ (no cluster needed). */
    static Path kubectl() {
        return require("kubectl", "kubernetes-client");
    }

    static Path curl() {
        return require("curl", "curl");
    }

    /** The binary {@code name}, else an AssertionError naming the Debian package that ships it. */
    static Path require(String name, String debianPackage) {
        List<String> dirs = new ArrayList<>(SYSTEM_DIRS);
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        for (String dir : dirs) {
            Path candidate = Paths.get(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not installed: run `bash scripts/install-test-prereqs.sh`"
                + " (or `apt-get install " + debianPackage + "`) and run the tests again");
    }
}
