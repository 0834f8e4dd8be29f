package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The distribution registry ({@code docker-registry serve cfg.yml}) on a free port of 127.0.0.1,
 * with filesystem storage: a plain registry, or a pull-through proxy of another registry.
 */
final class UpstreamRegistry implements AutoCloseable {

    private final Path dir;
    private final Path root;
    private final boolean ownsRoot;
    private final String remoteUrl;
    private final int port;
    private ChildProcess process;

    private UpstreamRegistry(Path dir, Path root, boolean ownsRoot, String remoteUrl) {
        this.dir = dir;
        this.root = root;
        this.ownsRoot = ownsRoot;
        this.remoteUrl = remoteUrl;
        this.port = FreePort.next();
    }

    /** A registry with empty storage of its own, deleted on close. */
    static UpstreamRegistry start() {
        Path dir = WorkDir.create("upstream");
        return new UpstreamRegistry(dir, dir.resolve("root"), true, null).startProcess();
    }

    /** A registry serving an existing storage root (layout compatibility); the root is kept. */
    static UpstreamRegistry serving(Path root) {
        return new UpstreamRegistry(WorkDir.create("registry-plain"), root, false, null).startProcess();
    }

    /** A pull-through proxy of {@code remoteUrl} storing into {@code root}; the root is kept. */
    static UpstreamRegistry proxyOf(String remoteUrl, Path root) {
        return new UpstreamRegistry(WorkDir.create("registry-proxy"), root, false, remoteUrl).startProcess();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:PORT}, as skopeo and docker references want it. */
    String hostPort() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    Path root() {
        return root;
    }

    /** The registry's log, its access log included (one line per request, with the User-Agent). */
    Path log() {
        return dir.resolve("registry.log");
    }

    private UpstreamRegistry startProcess() {
        Path config = dir.resolve("config.yml");
        try {
            Files.createDirectories(root);
            Files.writeString(config, configYaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = ChildProcess.start("docker-registry :" + port,
                List.of(Tools.dockerRegistry().toString(), "serve", config.toString()),
                Map.of(), dir.resolve("registry.log"));
        try {
            awaitReady();
        } catch (RuntimeException | AssertionError e) {
            process.close();
            throw e;
        }
        return this;
    }

    private String configYaml() {
        String yaml = "version: 0.1\n"
                + "log:\n  level: info\n  accesslog:\n    disabled: false\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + root + "\n"
                + "  delete:\n    enabled: true\n"
                + "  redirect:\n    disable: true\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n"
                + "  secret: native-tests-not-secret\n";
        if (remoteUrl != null) {
            yaml += "proxy:\n  remoteurl: " + remoteUrl + "\n";
        }
        return yaml;
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        Await.until(Duration.ofSeconds(30), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited at start:\n" + process.logTail());
            }
            try {
                return client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> "docker-registry on " + url() + " is not ready:\n" + process.logTail());
    }

    /** Stops the registry; its port then refuses connections. */
    void stop() {
        if (process != null) {
            process.close();
        }
    }

    @Override
    public void close() {
        stop();
        if (ownsRoot) {
            WorkDir.deleteTree(root);
        }
    }
}
