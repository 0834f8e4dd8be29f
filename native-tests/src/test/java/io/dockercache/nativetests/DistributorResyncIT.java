package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The packaged config-distributor in its long-running mode: ready when applied, heals a manual edit. */
@ExtendWith(PrintLogsOnFailure.class)
class DistributorResyncIT {

    private static final String MIRROR = "[host.\"http://10.0.0.1:30500\"]";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void longRunning_readyWhenApplied_resyncRestoresDeletedHostsToml() throws IOException {
        try (NodeRoot node = NodeRoot.create()) {
            Files.createDirectories(node.resolve("etc/containerd"));
            Path hostsToml = node.resolve("etc/containerd/certs.d/docker.io/hosts.toml");
            DistributorProcess distributor = DistributorProcess.of(node.path(), "10.0.0.1:30500")
                    .env("DOCKER_CACHE_RESYNC_PERIOD", "1s");

            try (ChildProcess process = distributor.startLongRunning()) {
                Await.until(Duration.ofSeconds(60), () -> status(distributor.managementUrl() + "/q/health/ready") == 200,
                        () -> "not ready:\n" + process.logTail());
                assertTrue(read(hostsToml).contains(MIRROR), read(hostsToml));
                assertTrue(body(distributor.managementUrl() + "/q/metrics")
                        .contains("docker_cache_distributor_reconciles_total{state=\"applied\""));

                Files.delete(hostsToml);

                Await.until(Duration.ofSeconds(30), () -> read(hostsToml).contains(MIRROR),
                        () -> "hosts.toml not restored by the resync:\n" + process.logTail());
                assertTrue(process.isAlive(), "still running");
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String body(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/plain; version=0.0.4")
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
