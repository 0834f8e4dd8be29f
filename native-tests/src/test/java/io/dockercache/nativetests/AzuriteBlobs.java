package io.dockercache.nativetests;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads a container of an {@link Azurite} directly, past any cache: lists its committed blobs and
 * hashes each one's bytes. Requests are signed with the development account's Shared Key
 * (learn.microsoft.com, "Authorize with Shared Key"; the emulator's path-style URLs put the
 * account name in the canonicalized resource twice).
 */
final class AzuriteBlobs {

    /** A committed blob: its name, its size as listed, and the SHA-256 of its bytes as read. */
    record Stored(String name, long size, String digest) {
    }

    private static final String VERSION = "2021-12-02";
    private final String endpoint;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    AzuriteBlobs(Azurite azurite) {
        this.endpoint = azurite.endpoint();
    }

    /** Every committed blob of {@code container} whose name starts with {@code prefix}, read and hashed. */
    List<Stored> read(String container, String prefix) {
        String xml = new String(get("/" + container, "comp=list&prefix=" + prefix + "&restype=container"),
                StandardCharsets.UTF_8);
        List<Stored> stored = new ArrayList<>();
        for (String blob : xml.split("<Blob>")) {
            String name = element(blob, "Name");
            if (name == null || blob.startsWith("<?xml")) {
                continue;
            }
            byte[] bytes = get("/" + container + "/" + name, null);
            stored.add(new Stored(name, Long.parseLong(element(blob, "Content-Length")), Sha256.of(bytes)));
        }
        return stored;
    }

    private static String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">");
        int end = xml.indexOf("</" + name + ">");
        return start < 0 || end < start ? null : xml.substring(start + name.length() + 2, end);
    }

    /** A signed GET of {@code path} below the account; {@code query} is sorted by name already, or null. */
    private byte[] get(String path, String query) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        StringBuilder resource = new StringBuilder("/" + Azurite.ACCOUNT + "/" + Azurite.ACCOUNT + path);
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] nameValue = pair.split("=", 2);
                resource.append('\n').append(nameValue[0]).append(':').append(nameValue[1]);
            }
        }
        // VERB, then eleven standard headers, all empty for a GET.
        String toSign = "GET\n" + "\n".repeat(11) + "x-ms-date:" + date + "\nx-ms-version:" + VERSION + "\n" + resource;
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + path + (query == null ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(60))
                .header("x-ms-date", date)
                .header("x-ms-version", VERSION)
                .header("Authorization", "SharedKey " + Azurite.ACCOUNT + ":" + sign(toSign))
                .GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readAllBytes();
                if (response.statusCode() != 200) {
                    throw new AssertionError("GET " + request.uri() + " from Azurite: " + response.statusCode() + " "
                            + new String(bytes, StandardCharsets.UTF_8));
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new AssertionError("GET " + request.uri() + " from Azurite failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String sign(String toSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(Azurite.KEY), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
