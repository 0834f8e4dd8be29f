package io.dockercache.nativetests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The cache's Prometheus text from {@code /q/metrics} on its management port, never behind auth. */
final class Metrics {

    private Metrics() {
    }

    /** Scrapes the cache, failing unless the management port answers 200 without credentials. */
    static String scrape(CacheProcess cache) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(cache.managementUrl() + "/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4")
                .timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + request.uri() + " -> " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("GET " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * The sum of the samples of {@code name} carrying every label of {@code labels} ({@code key="value"}
     * strings); null when the scrape has no such metric at all.
     */
    static Double sum(String scrape, String name, String... labels) {
        Double total = null;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int valueStart = line.lastIndexOf(' ') + 1;
            String labelPart = line.substring(name.length(), valueStart);
            boolean matches = true;
            for (String label : labels) {
                matches &= labelPart.contains(label);
            }
            if (matches) {
                total = (total == null ? 0 : total) + Double.parseDouble(line.substring(valueStart).trim());
            }
        }
        return total;
    }

    /** Like {@link #sum}, failing when the metric is missing from the scrape. */
    /**
     * {@link #sum} of a fresh scrape, empty while the cache exposes no such sample: for a gauge
     * that appears only once a first run has finished ({@code docker_cache_storage_bytes}).
     */
    static Optional<Double> sample(CacheProcess cache, String name, String... labels) {
        return Optional.ofNullable(sum(scrape(cache), name, labels));
    }

    static double required(CacheProcess cache, String name, String... labels) {
        String scrape = scrape(cache);
        Double value = sum(scrape, name, labels);
        if (value == null) {
            throw new AssertionError("the cache's /q/metrics has no " + name + " sample with "
                    + String.join(",", labels) + ":\n" + scrape.lines()
                            .filter(l -> l.startsWith("docker_cache_") || l.startsWith("http_server")).toList());
        }
        return value;
    }
}
