package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real dockerd laid out as on a node under a {@link NodeRoot}: config file
 * {@code etc/docker/daemon.json}, pid file and socket in {@code var/run}; data elsewhere. Unlike
 * {@link Dockerd} it starts with whatever daemon.json the test wrote (or none), so that the
 * distributor is what adds the mirror.
 */
final class NodeDockerd implements AutoCloseable {

    private final NodeRoot node;
    private final Path dir;
    private final ChildProcess process;
    private final DockerCli cli;

    private NodeDockerd(NodeRoot node, Path dir, ChildProcess process) {
        this.node = node;
        this.dir = dir;
        this.process = process;
        this.cli = new DockerCli("unix://" + node.dockerSocket(), process);
    }

    /** Starts dockerd on {@code node}; {@code extraFlags} such as {@code --registry-mirror=...}. */
    static NodeDockerd start(NodeRoot node, String... extraFlags) {
        Path dir = WorkDir.create("node-dockerd");
        try {
            Files.createDirectories(node.daemonJson().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(
                Tools.dockerd().toString(),
                "--storage-driver", "vfs",
                "--iptables=false",
                "--bridge=none",
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", node.resolve("run-docker").toString(),
                "--pidfile", node.dockerPidFile().toString(),
                "-H", "unix://" + node.dockerSocket(),
                "--config-file", node.daemonJson().toString()));
        command.addAll(List.of(extraFlags));
        ChildProcess process = ChildProcess.start("dockerd " + node, command, Map.of(), dir.resolve("dockerd.log"));
        NodeDockerd dockerd = new NodeDockerd(node, dir, process);
        try {
            dockerd.cli.awaitReady();
        } catch (RuntimeException | AssertionError e) {
            dockerd.close();
            throw e;
        }
        return dockerd;
    }

    long pid() {
        try {
            return Long.parseLong(Files.readString(node.dockerPidFile()).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@code RegistryConfig.Mirrors} of {@code docker info}, as JSON. */
    String registryMirrors() {
        return cli.registryMirrors();
    }

    /** Imports Debian's static busybox as image {@code ref} (no registry involved). */
    void importBusybox(String ref) {
        Path rootfs = dir.resolve("busybox-rootfs");
        Path tar = dir.resolve("busybox.tar");
        try {
            Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(Tools.busybox(), rootfs.resolve("bin/busybox"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Command.run(Duration.ofSeconds(60), "tar", "-C", rootfs, "-cf", tar, ".");
        docker(Duration.ofMinutes(2), "import", tar, ref).requireSuccess();
    }

    /** {@code docker run -d --network none ref /bin/busybox sleep 600}; the container's ID. */
    String runSleeping(String ref) {
        return docker(Duration.ofMinutes(2), "run", "-d", "--network", "none", ref, "/bin/busybox", "sleep", "600")
                .requireSuccess().stdout().trim();
    }

    boolean isRunning(String container) {
        return docker(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Running}}", container)
                .requireSuccess().stdout().trim().equals("true");
    }

    void pull(String ref) {
        cli.pull(ref);
    }

    String imageId(String ref) {
        return cli.imageId(ref);
    }

    String logTail() {
        return process.logTail();
    }

    Command.Result docker(Duration timeout, Object... args) {
        return cli.run(timeout, args);
    }

    @Override
    public void close() {
        // Containers first, so that dockerd's shim processes do not outlive the test.
        if (process.isAlive()) {
            Command.Result ids = docker(Duration.ofSeconds(30), "ps", "-aq");
            for (String id : ids.stdout().split("\\s+")) {
                if (!id.isBlank()) {
                    docker(Duration.ofSeconds(60), "rm", "-f", id);
                }
            }
        }
        process.close();
        WorkDir.deleteTree(dir.resolve("data"));
        WorkDir.deleteTree(dir.resolve("busybox-rootfs"));
    }
}
