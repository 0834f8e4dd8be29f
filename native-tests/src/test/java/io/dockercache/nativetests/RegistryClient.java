package io.dockercache.nativetests;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A small Registry API v2 client over {@link HttpClient}, for the tests and for seeding. */
final class RegistryClient {

    /** What docker and containerd accept for a manifest, all four kinds. */
    static final String ALL_MANIFEST_TYPES = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    /** States of a bounded transfer (see {@link #downloadWithin}). */
    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int EXPIRED = 2;

    private final String baseUrl;
    private final HttpClient http;

    RegistryClient(String baseUrl) {
        this.baseUrl = baseUrl;
        // HTTP/1.1 only: the default would try an h2c upgrade on plain http.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    String baseUrl() {
        return baseUrl;
    }

    RegistryResponse get(String path, String... headers) {
        return send("GET", path, headers);
    }

    RegistryResponse head(String path, String... headers) {
        return send("HEAD", path, headers);
    }

    /** {@code GET /v2/<name>/manifests/<reference>} accepting every manifest type. */
    RegistryResponse manifest(String name, String reference) {
        return get("/v2/" + name + "/manifests/" + reference, "Accept", ALL_MANIFEST_TYPES);
    }

    /** Any method, empty body; {@code headers} are name, value pairs. */
    RegistryResponse send(String method, String path, String... headers) {
        HttpRequest request = request(path, headers).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return exchange(request);
    }

    /** Streams the body of {@code GET path} into SHA-256; a transfer that breaks is reported, not thrown. */
    Download download(String path, String... headers) {
        HttpRequest request = request(path, headers).timeout(Duration.ofMinutes(10)).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Download(path, -1, null, 0, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: GET " + path, e);
        }
        MessageDigest digest = Sha256.newDigest();
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream body = response.body()) {
            for (int n; (n = body.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                bytes += n;
            }
        } catch (IOException e) {
            return new Download(path, response.statusCode(), response.headers(), bytes,
                    Sha256.format(digest.digest()), e);
        }
        return new Download(path, response.statusCode(), response.headers(), bytes, Sha256.format(digest.digest()),
                null);
    }

    Download blob(String name, String digest) {
        return download("/v2/" + name + "/blobs/" + digest);
    }

    /**
     * {@code GET path} whose whole transfer, body included, must end within {@code within}; past it
     * the body is closed and the result {@link Download#timedOut()}, so a hang is an answer, not a
     * stuck test. An error answer's envelope code is kept ({@link Download#errorCode()}).
     */
    Download downloadWithin(Duration within, String path, String... headers) {
        HttpRequest request = request(path, headers).timeout(within).GET().build();
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            // An HttpTimeoutException here: not even the headers came within the bound.
            return new Download(path, -1, null, 0, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: GET " + path, e);
        }
        if (response.statusCode() >= 400) {
            return errorAnswer(path, response);
        }
        // RUNNING -> FINISHED by the reader, or RUNNING -> EXPIRED by the timer, which closes the body.
        AtomicInteger state = new AtomicInteger(RUNNING);
        InputStream body = response.body();
        CompletableFuture<Void> timer = CompletableFuture.runAsync(() -> {
            if (state.compareAndSet(RUNNING, EXPIRED)) {
                closeQuietly(body);
            }
        }, CompletableFuture.delayedExecutor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        MessageDigest digest = Sha256.newDigest();
        long bytes = 0;
        IOException failure = null;
        byte[] buffer = new byte[1 << 16];
        try (body) {
            for (int n; (n = body.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                bytes += n;
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            timer.cancel(false);
        }
        if (!state.compareAndSet(RUNNING, FINISHED)) {
            failure = new HttpTimeoutException("the transfer did not end within " + within + " (" + bytes
                    + " bytes had arrived)");
        }
        return new Download(path, response.statusCode(), response.headers(), bytes, Sha256.format(digest.digest()),
                failure);
    }

    /** An error answer is small: read it whole and keep its envelope's code. */
    private static Download errorAnswer(String path, HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(1 << 16);
            String code = new RegistryResponse("GET", path, response.statusCode(), response.headers(), bytes)
                    .errorCode();
            return new Download(path, response.statusCode(), response.headers(), bytes.length, Sha256.of(bytes), null,
                    code);
        } catch (IOException e) {
            return new Download(path, response.statusCode(), response.headers(), 0, null, e);
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // The reader sees the stream end either way.
        }
    }

    /** Monolithic upload of a file as a blob of {@code name}: POST an upload, then PUT its bytes. */
    String pushBlob(String name, Path file, String digest) {
        String location = startUpload(name);
        String separator = location.contains("?") ? "&" : "?";
        HttpRequest put;
        try {
            put = HttpRequest.newBuilder(resolve(location + separator + "digest=" + digest))
                    .timeout(Duration.ofMinutes(10))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file))
                    .build();
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
        RegistryResponse done = exchange(put);
        if (done.status() != 201) {
            throw new AssertionError("blob upload of " + file + " failed: " + done.describe());
        }
        return digest;
    }

    String pushBlob(String name, byte[] bytes) {
        String digest = Sha256.of(bytes);
        String location = startUpload(name);
        String separator = location.contains("?") ? "&" : "?";
        HttpRequest put = HttpRequest.newBuilder(resolve(location + separator + "digest=" + digest))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        RegistryResponse done = exchange(put);
        if (done.status() != 201) {
            throw new AssertionError("blob upload failed: " + done.describe());
        }
        return digest;
    }

    /** PUT a manifest under a tag or its digest; returns its digest. */
    String pushManifest(String name, String reference, String mediaType, byte[] bytes) {
        HttpRequest put = request("/v2/" + name + "/manifests/" + reference, "Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        RegistryResponse done = exchange(put);
        if (done.status() != 201) {
            throw new AssertionError("manifest upload failed: " + done.describe());
        }
        return Sha256.of(bytes);
    }

    private String startUpload(String name) {
        RegistryResponse started = send("POST", "/v2/" + name + "/blobs/uploads/");
        if (started.status() != 202 || started.header("Location") == null) {
            throw new AssertionError("cannot start a blob upload: " + started.describe());
        }
        return started.header("Location");
    }

    private URI resolve(String pathOrUrl) {
        return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : baseUrl + pathOrUrl);
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(resolve(path)).timeout(REQUEST_TIMEOUT);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private RegistryResponse exchange(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new RegistryResponse(request.method(), request.uri().toString(), response.statusCode(),
                    response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + request.method() + " " + request.uri(), e);
        }
    }
}
