package io.dockercache.nativetests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/** A registry response with its whole (small) body. */
record RegistryResponse(String method, String uri, int status, HttpHeaders headers, byte[] body) {

    String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    JsonObject json() {
        return new JsonObject(text());
    }

    /** The first {@code code} of a registry error envelope, or null when the body is not one. */
    String errorCode() {
        try {
            JsonArray errors = json().getJsonArray("errors");
            return errors == null || errors.isEmpty() ? null : errors.getJsonObject(0).getString("code");
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    /** For assertion messages. */
    String describe() {
        String shown = body.length > 600 ? text().substring(0, 600) + "..." : text();
        return method + " " + uri + " -> " + status + " " + headers.map() + " " + shown;
    }
}
