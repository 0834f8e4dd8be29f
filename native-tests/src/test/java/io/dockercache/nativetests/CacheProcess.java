package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The program under test, the packaged cache-service named by the {@code cache.runner} system
 * property: {@code java [-Xmx] [jvm args] -jar quarkus-run.jar}, or the native executable run directly
 * (with {@code -Xmx} when a heap bound is set).
 * Configured through environment variables, bound to 127.0.0.1 on free ports.
 */
final class CacheProcess implements AutoCloseable {

    private final Path dir;
    private final Path root;
    private final boolean ownsRoot;
    private final int port = FreePort.next();
    private final int managementPort = FreePort.next();
    private final List<String> jvmArgs;
    private final String maxHeap;
    private final Map<String, String> env;
    private final String configYaml;
    private final boolean tls;
    private ChildProcess process;

    private CacheProcess(Builder builder) {
        this.dir = WorkDir.create("cache");
        this.ownsRoot = builder.root == null;
        this.root = ownsRoot ? dir.resolve("storage") : builder.root;
        this.jvmArgs = List.copyOf(builder.jvmArgs);
        this.maxHeap = builder.maxHeap;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        if (builder.configYaml == null) {
            env.put("DOCKER_CACHE_REMOTE_URL", builder.remoteUrl);
            env.put("DOCKER_CACHE_FS_MOUNT_PATH", root.toString());
            env.put("DOCKER_CACHE_TAG_TTL", Long.toString(builder.tagTtlSeconds));
        }
        this.configYaml = builder.configYaml != null ? builder.configYaml
                : "docker_cache_storage_backend: filesystem\n";
        this.tls = builder.tlsCert != null;
        if (tls) {
            env.put("DOCKER_CACHE_TLS_CERT_FILE", builder.tlsCert.toString());
            env.put("DOCKER_CACHE_TLS_KEY_FILE", builder.tlsKey.toString());
        }
        // Our own file, so that no /etc/docker-cache/config.yaml of this machine is read.
        env.put("DOCKER_CACHE_CONFIG", dir.resolve("config.yaml").toString());
        env.putAll(builder.env);
        this.env = Map.copyOf(env);
    }

    static Builder of(String remoteUrl) {
        return new Builder(remoteUrl);
    }

    /**
     * A cache driven by a seed-format config.yaml: the environment then leaves the remote URL, the
     * storage root and the tag TTL to the file (it still binds the ports). {@code root} is where
     * the file puts the storage; the caller keeps and deletes it.
     */
    static Builder fromConfigFile(String yaml, Path root) {
        Builder builder = new Builder(null);
        builder.configYaml = yaml;
        builder.root = root;
        return builder;
    }

    /** How a start that was meant to fail ended: exit code and what the program printed. */
    record StartFailure(int exitCode, String output) {
    }

    /** How the cache is started. */
    static final class Builder {
        private final String remoteUrl;
        private Path root;
        private long tagTtlSeconds = 60;
        private final List<String> jvmArgs = new ArrayList<>();
        private String maxHeap;
        private final Map<String, String> env = new HashMap<>();
        private String configYaml;
        private Path tlsCert;
        private Path tlsKey;

        private Builder(String remoteUrl) {
            this.remoteUrl = remoteUrl;
        }

        /** An existing storage root, kept on close; by default a new one, deleted on close. */
        Builder root(Path root) {
            this.root = root;
            return this;
        }

        Builder tagTtlSeconds(long seconds) {
            this.tagTtlSeconds = seconds;
            return this;
        }

        /** JVM options for the jar runner; a native executable ignores them. */
        Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        /**
         * A heap limit ({@code 128m}) for either runner: {@code -Xmx} is a JVM option of the jar and
         * a run-time option a native executable accepts too, so the bound holds for both.
         */
        Builder maxHeap(String size) {
            this.maxHeap = size;
            return this;
        }

        Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** HTTPS on the registry port from PEM files; {@link #url()} is then https. */
        Builder tls(Path certificate, Path key) {
            this.tlsCert = certificate;
            this.tlsKey = key;
            return this;
        }

        /**
         * Starts the cache expecting it to refuse: fails if it becomes ready or still runs after
         * {@code timeout}; else its exit code and output (without the fixture's own header lines).
         */
        StartFailure startExpectingFailure(Duration timeout) {
            CacheProcess cache = new CacheProcess(this);
            try {
                long offset = cache.launch();
                Integer exitCode = cache.process.awaitExit(timeout);
                String output = cache.readLogFrom(offset);
                if (exitCode == null) {
                    throw new AssertionError("the cache was expected to refuse to start but still runs after "
                            + timeout + ":\n" + output);
                }
                return new StartFailure(exitCode, output);
            } finally {
                cache.close();
            }
        }

        CacheProcess start() {
            CacheProcess cache = new CacheProcess(this);
            cache.startProcess();
            return cache;
        }
    }

    /** The registry API's base URL, {@code https://} when started with TLS. */
    String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    Path root() {
        return root;
    }

    /** Where a committed blob lives in the distribution layout. */
    Path blobData(String digest) {
        return StorageLayout.blobData(root, digest);
    }

    /** True when the runner is the jar (so JVM options apply), false for a native executable. */
    static boolean isJarRunner() {
        return runner().toString().endsWith(".jar");
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    String logTail() {
        return process == null ? "(not started)" : process.logTail();
    }

    Path log() {
        return dir.resolve("cache.log");
    }

    void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** {@code kill -9}: the process ends wherever it is; {@link #restart()} starts it again. */
    void kill() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    /** Stops and starts again: same ports, storage and configuration. */
    void restart() {
        stop();
        startProcess();
    }

    @Override
    public void close() {
        stop();
        if (ownsRoot) {
            WorkDir.deleteTree(root);
        }
    }

    private static Path runner() {
        String runner = System.getProperty("cache.runner");
        if (runner == null || runner.isBlank()) {
            throw new AssertionError("system property cache.runner is not set: run these tests through"
                    + " `mvn -pl native-tests verify`, which points it at the packaged cache-service");
        }
        return Paths.get(runner).toAbsolutePath();
    }

    private void startProcess() {
        launch();
        try {
            awaitReady();
        } catch (RuntimeException | AssertionError e) {
            stop();
            throw e;
        }
    }

    /** Starts the program; returns the log's length before its first line of output. */
    private long launch() {
        Path runner = runner();
        if (!Files.isRegularFile(runner)) {
            throw new AssertionError("the program under test " + runner + " does not exist: build it first with"
                    + " `mvn -pl cache-service -am package -DskipTests` (or `-Dnative` for the executable)");
        }
        List<String> command = new ArrayList<>();
        if (isJarRunner()) {
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            if (maxHeap != null) {
                command.add("-Xmx" + maxHeap);
            }
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(runner.toString());
        } else {
            command.add(runner.toString());
            if (maxHeap != null) {
                command.add("-Xmx" + maxHeap);
            }
        }
        try {
            // The cache refuses a DOCKER_CACHE_CONFIG that does not exist; the environment overrides this file.
            Files.writeString(dir.resolve("config.yaml"), configYaml);
            Files.writeString(log(), "=== " + String.join(" ", command) + "\n=== env " + printableEnv() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long offset = Files.size(log());
            process = ChildProcess.start("cache-service :" + port, command, env, log());
            return offset;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the program wrote to its log after {@code offset}. */
    private String readLogFrom(long offset) {
        try {
            byte[] all = Files.readAllBytes(log());
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment for the log, secrets redacted. */
    private Map<String, String> printableEnv() {
        Map<String, String> printable = new TreeMap<>(env);
        printable.replaceAll((name, value) -> name.contains("PASSWORD") || name.contains("HTPASSWD")
                || name.contains("ACCOUNT_KEY") ? "<redacted>" : value);
        return printable;
    }

    /** One readiness probe, as the kubelet sends it: true on 200. */
    boolean isReady() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Await.until(Duration.ofSeconds(90), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the cache exited at start:\n" + process.logTail());
            }
            try {
                // The management port may answer before the registry port listens: wait for both.
                return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                        && registryPortListens();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> "the cache is not ready on " + managementUrl() + "/q/health/ready:\n" + process.logTail());
    }

    private boolean registryPortListens() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "cache " + url() + " (root " + root + ")";
    }
}
