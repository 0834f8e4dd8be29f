package io.dockercache.nativetests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real dockerd (root, vfs storage, no iptables, no bridge) with private data, exec and socket
 * paths, whose {@code registry-mirrors} is the cache under test. Only docker.io names are mirrored.
 */
final class Dockerd implements AutoCloseable {

    private final Path dir;
    private final Path socketDir;
    private final ChildProcess process;
    private final DockerCli cli;

    private Dockerd(Path dir, Path socketDir, ChildProcess process) {
        this.dir = dir;
        this.socketDir = socketDir;
        this.process = process;
        this.cli = new DockerCli("unix://" + socketDir.resolve("docker.sock"), process);
    }

    /** Starts dockerd with {@code mirrorUrl} ({@code http://127.0.0.1:PORT}) as its only registry mirror. */
    static Dockerd start(String mirrorUrl) {
        return start(mirrorUrl, true);
    }

    /**
     * Starts dockerd with an {@code https://} mirror it must verify: not listed in
     * {@code insecure-registries}, so its certificate must chain to a CA in {@code /etc/docker/certs.d}.
     */
    static Dockerd startVerifying(String httpsMirrorUrl) {
        return start(httpsMirrorUrl, false);
    }

    private static Dockerd start(String mirrorUrl, boolean insecure) {
        Path dir = WorkDir.create("dockerd");
        Path socketDir = WorkDir.forSockets(dir);
        String mirrorHost = mirrorUrl.replaceFirst("^https?://", "");
        JsonObject config = new JsonObject().put("registry-mirrors", new JsonArray().add(mirrorUrl));
        if (insecure) {
            config.put("insecure-registries", new JsonArray().add(mirrorHost));
        }
        try {
            Files.writeString(dir.resolve("daemon.json"), config.encodePrettily());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess process = ChildProcess.start("dockerd", List.of(
                Tools.dockerd().toString(),
                "--storage-driver", "vfs",
                "--iptables=false",
                "--bridge=none",
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", socketDir.resolve("exec").toString(),
                "--pidfile", dir.resolve("docker.pid").toString(),
                "-H", "unix://" + socketDir.resolve("docker.sock"),
                "--config-file", dir.resolve("daemon.json").toString()),
                Map.of(), dir.resolve("dockerd.log"));
        Dockerd dockerd = new Dockerd(dir, socketDir, process);
        try {
            dockerd.cli.awaitReady();
        } catch (RuntimeException | AssertionError e) {
            dockerd.close();
            throw e;
        }
        return dockerd;
    }

    /** {@code docker pull ref}; fails with docker's output and the daemon's log when the pull fails. */
    void pull(String ref) {
        cli.pull(ref);
    }

    void rmi(String ref) {
        docker(Duration.ofMinutes(1), "rmi", ref).requireSuccess();
    }

    /** The local image ID ({@code sha256:...}), which for a pulled image is its config digest. */
    String imageId(String ref) {
        return cli.imageId(ref);
    }

    boolean hasImage(String ref) {
        return docker(Duration.ofSeconds(30), "image", "inspect", ref).exitCode() == 0;
    }

    /** The mirrors dockerd reports in {@code docker info}. */
    String registryMirrors() {
        return cli.registryMirrors();
    }

    String logTail() {
        return process.logTail();
    }

    Command.Result docker(Duration timeout, Object... args) {
        return cli.run(timeout, args);
    }

    @Override
    public void close() {
        process.close();
        // vfs copies every layer in full: drop the images, keep the log.
        WorkDir.deleteTree(dir.resolve("data"));
        if (!socketDir.equals(dir)) {
            WorkDir.deleteTree(socketDir);
        }
    }
}
