package io.dockercache.nativetests;

import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request a {@link FaultProxy} received: method, path and every header (names lower-cased),
 * so a test can assert which credentials reached which host.
 */
record RecordedRequest(String method, String path, Map<String, List<String>> headers) {

    static RecordedRequest of(HttpServerRequest in) {
        Map<String, List<String>> headers = new TreeMap<>();
        in.headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>()).add(h.getValue()));
        headers.replaceAll((k, v) -> List.copyOf(v));
        return new RecordedRequest(in.method().name(), in.path(), Map.copyOf(headers));
    }

    List<String> header(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** Whether any header value contains {@code text} (a secret that must not be here). */
    boolean mentions(String text) {
        return headers.values().stream().flatMap(List::stream).anyMatch(v -> v.contains(text));
    }

    @Override
    public String toString() {
        // Header names only: a failure message must not print credentials.
        return method + " " + path + " " + headers.keySet();
    }
}
