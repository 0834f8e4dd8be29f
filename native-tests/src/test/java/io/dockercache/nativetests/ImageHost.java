package io.dockercache.nativetests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real dockerd that builds the images with {@code scripts/build-images.sh} and runs them, as a
 * node's runtime would: root, overlay2 (vfs would copy the 330 MB base for every layer of every
 * image), no iptables and no bridge, so containers use {@code --network host}. Its data root is
 * a fixed directory of the work dir that outlives it: the base image debootstrap made is built
 * once and reused until {@code mvn clean}.
 */
final class ImageHost implements AutoCloseable {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    private final Path dir;
    private final Path socketDir;
    private final ChildProcess process;
    private final DockerCli cli;

    private ImageHost(Path dir, Path socketDir, ChildProcess process) {
        this.dir = dir;
        this.socketDir = socketDir;
        this.process = process;
        this.cli = new DockerCli(dockerHost(socketDir), process);
    }

    static ImageHost start() {
        Path dir = WorkDir.base().resolve("image-host");
        Path socketDir;
        try {
            Files.createDirectories(dir);
            socketDir = Files.createTempDirectory("dc-img-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess process = ChildProcess.start("image-host dockerd", List.of(
                Tools.dockerd().toString(),
                "--storage-driver", "overlay2",
                "--iptables=false",
                "--bridge=none",
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", socketDir.resolve("exec").toString(),
                "--pidfile", socketDir.resolve("docker.pid").toString(),
                "-H", dockerHost(socketDir)),
                Map.of(), dir.resolve("dockerd.log"));
        ImageHost host = new ImageHost(dir, socketDir, process);
        try {
            host.cli.awaitReady();
            // Containers left by an aborted earlier run.
            for (String id : host.docker(Duration.ofSeconds(30), "ps", "-aq").requireSuccess().stdout().split("\\s+")) {
                if (!id.isBlank()) {
                    host.docker(Duration.ofSeconds(60), "rm", "-f", id);
                }
            }
        } catch (RuntimeException | AssertionError e) {
            host.close();
            throw e;
        }
        return host;
    }

    private static void unmountBelow(Path dir) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 1 && fields[1].startsWith(dir + "/")) {
                    Command.tryRun(Duration.ofSeconds(30), "umount", fields[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String dockerHost(Path socketDir) {
        return "unix://" + socketDir.resolve("docker.sock");
    }

    /** What {@code DOCKER_HOST} names for this daemon. */
    String dockerHost() {
        return dockerHost(socketDir);
    }

    /** How {@code scripts/build-images.sh} ended: exit code, the references it printed, its log, how long it took. */
    record Build(int exitCode, List<String> references, String log, Duration took) {
    }

    /** Runs {@code bash scripts/build-images.sh args...} against this daemon. */
    Build buildImages(Path repoRoot, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", repoRoot.resolve("scripts/build-images.sh").toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("build-images.out");
        Path err = dir.resolve("build-images.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(repoRoot.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DOCKER_HOST", dockerHost());
        builder.environment().put("DOCKER", Tools.docker().toString());
        builder.environment().put("PATH", builder.environment().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        long start = System.nanoTime();
        try {
            Process build = builder.start();
            if (!build.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                build.descendants().forEach(ProcessHandle::destroyForcibly);
                build.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("build-images.sh did not finish within " + BUILD_TIMEOUT + ":\n" + Files.readString(err));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            List<String> refs = Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            return new Build(build.exitValue(), refs, Files.readString(err, StandardCharsets.UTF_8), took);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** {@code docker image inspect ref}, the image's JSON. */
    JsonObject inspectImage(String ref) {
        return new JsonArray(docker(Duration.ofSeconds(30), "image", "inspect", ref).requireSuccess().stdout()).getJsonObject(0);
    }

    /** {@code docker inspect container}, the container's JSON. */
    JsonObject inspectContainer(String id) {
        return new JsonArray(docker(Duration.ofSeconds(30), "container", "inspect", id).requireSuccess().stdout()).getJsonObject(0);
    }

    /** {@code docker run -d args...}: the container's ID. */
    String runDetached(List<String> args) {
        List<Object> command = new ArrayList<>(List.of("run", "-d"));
        command.addAll(args);
        return docker(Duration.ofMinutes(2), command.toArray()).requireSuccess().stdout().trim();
    }

    /** Waits for the container to exit: its exit code. */
    int await(String id, Duration timeout) {
        return Integer.parseInt(docker(timeout, "wait", id).requireSuccess().stdout().trim());
    }

    boolean isRunning(String id) {
        return inspectContainer(id).getJsonObject("State").getBoolean("Running");
    }

    /** What the container printed, stdout and stderr. */
    String logs(String id) {
        Command.Result logs = docker(Duration.ofSeconds(30), "logs", id);
        return logs.stdout() + logs.stderr();
    }

    void remove(String id) {
        docker(Duration.ofSeconds(60), "rm", "-f", id);
    }

    String logTail() {
        return process.logTail();
    }

    Command.Result docker(Duration timeout, Object... args) {
        return cli.run(timeout, args);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Command.Result ids = docker(Duration.ofSeconds(30), "ps", "-aq");
            for (String id : ids.stdout().split("\\s+")) {
                if (!id.isBlank()) {
                    docker(Duration.ofSeconds(60), "rm", "-f", id);
                }
            }
        }
        process.close();
        // dockerd leaves its network namespace mounted in the exec root (containers ran with
        // --network host); the data root stays for the next run, the sockets and exec root go.
        unmountBelow(socketDir);
        WorkDir.deleteTree(socketDir);
    }
}
