package io.dockercache.nativetests;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;

/** A client that reads a body at a fixed pace, as a node on a slow link does. */
final class SlowReader {

    private SlowReader() {
    }

    /** GETs {@code url}, reading about {@code bytesPerSecond}; a broken transfer is reported, not thrown. */
    static Download download(String url, long bytesPerSecond) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).GET().build();
        MessageDigest digest = Sha256.newDigest();
        long bytes = 0;
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Download(url, -1, null, 0, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        long started = System.nanoTime();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream body = response.body()) {
            for (int n; (n = body.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                bytes += n;
                long due = bytes * 1_000_000_000L / bytesPerSecond - (System.nanoTime() - started);
                if (due > 0) {
                    Thread.sleep(due / 1_000_000, (int) (due % 1_000_000));
                }
            }
        } catch (IOException e) {
            return new Download(url, response.statusCode(), response.headers(), bytes, Sha256.format(digest.digest()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new Download(url, response.statusCode(), response.headers(), bytes, Sha256.format(digest.digest()), null);
    }
}
