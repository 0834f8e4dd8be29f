package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged config-distributor named by the {@code distributor.runner} system property, run
 * to completion with {@code --once} or {@code --cleanup} against a test-owned node root, outside a
 * cluster: the Kubernetes API it is given is a closed local port, so reporting is skipped.
 */
final class DistributorProcess {

    private static final long TIMEOUT_SECONDS = 120;

    private final Path dir = WorkDir.create("distributor");
    private final Map<String, String> env = new LinkedHashMap<>();

    private DistributorProcess(Path nodeRoot, String mirrorHost) {
        env.put("DOCKER_CACHE_NODE_ROOT", nodeRoot.toString());
        env.put("ENABLE_DOCKER_CACHE", "true");
        env.put("DOCKER_CACHE_HOST", mirrorHost);
        env.put("DOCKER_CACHE_NODE_NAME", "it-node");
        env.put("DOCKER_CACHE_RELOAD_TIMEOUT", "30s");
        env.put("DOCKER_CACHE_CONFIG", dir.resolve("config.yaml").toString());
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(FreePort.next()));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(FreePort.next()));
        // Outside a cluster: a closed local port as the API server, and a short wait for it.
        env.put("KUBERNETES_MASTER", "http://127.0.0.1:" + FreePort.next());
        env.put("DOCKER_CACHE_REPORT_TIMEOUT", "3s");
    }

    /** The distributor for {@code nodeRoot}, writing {@code mirrorHost} ({@code ip:port}). */
    static DistributorProcess of(Path nodeRoot, String mirrorHost) {
        return new DistributorProcess(nodeRoot, mirrorHost);
    }

    /** Overrides one environment variable of the runs, e.g. a configuration key. */
    DistributorProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** What one run printed and how it ended. */
    record Result(String mode, int exitCode, String output) {
        @Override
        public String toString() {
            return "config-distributor " + mode + " exited " + exitCode + ":\n" + output;
        }
    }

    Result once() {
        return run("--once");
    }

    /**
     * {@code --once} started through {@code wrapper} (a program that runs its arguments as a command,
     * such as {@code strace ... --}); the exit code is the wrapper's.
     */
    Result onceUnder(List<String> wrapper) {
        return run("--once", wrapper);
    }

    Result cleanup() {
        return run("--cleanup");
    }

    /** The long-running mode (the DaemonSet's), stopped by closing the returned process. */
    ChildProcess startLongRunning() {
        try {
            Files.writeString(dir.resolve("config.yaml"), "enable_docker_cache: true\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> environment = new LinkedHashMap<>(env);
        return ChildProcess.start("config-distributor", command(null), environment, dir.resolve("long-running.log"));
    }

    /** {@code http://127.0.0.1:<management port>}. */
    String managementUrl() {
        return "http://127.0.0.1:" + env.get("QUARKUS_MANAGEMENT_PORT");
    }

    private static List<String> command(String mode) {
        Path runner = runner();
        List<String> command = new ArrayList<>();
        if (runner.toString().endsWith(".jar")) {
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-jar");
        }
        command.add(runner.toString());
        if (mode != null) {
            command.add(mode);
        }
        return command;
    }

    private Result run(String mode) {
        return run(mode, List.of());
    }

    private Result run(String mode, List<String> wrapper) {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(command(mode));
        Path log = dir.resolve("run" + mode + ".log");
        try {
            Files.writeString(dir.resolve("config.yaml"), "enable_docker_cache: true\n");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().remove("KUBECONFIG");
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("config-distributor " + mode + " did not finish in " + TIMEOUT_SECONDS
                        + " s:\n" + Files.readString(log));
            }
            return new Result(mode, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Path runner() {
        String runner = System.getProperty("distributor.runner");
        if (runner == null || runner.isBlank()) {
            throw new AssertionError("system property distributor.runner is not set: run these tests through"
                    + " `mvn -pl native-tests -am verify`, which points it at the packaged config-distributor");
        }
        Path path = Paths.get(runner).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("the program under test " + path + " does not exist: build it first with"
                    + " `mvn -pl config-distributor -am package -DskipTests`");
        }
        return path;
    }
}
