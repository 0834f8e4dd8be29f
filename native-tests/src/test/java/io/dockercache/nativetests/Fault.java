package io.dockercache.nativetests;

/**
 * What {@link FaultProxy} does to requests whose path contains {@code pathPart} ("" = every request).
 *
 * @param amount the byte offset, byte count, status code or bytes per second, by kind
 * @param value a header value or URL, by kind: {@code Retry-After} of a status, the redirect
 *     target's base URL, the {@code Authorization} a challenge demands; else null
 */
record Fault(Kind kind, String pathPart, long amount, String value) {

    Fault(Kind kind, String pathPart, long amount) {
        this(kind, pathPart, amount, null);
    }

    enum Kind {
        /** Inverts the byte at offset {@code amount} of the response body. */
        FLIP_BYTE,
        /** Sends {@code amount} bytes of the body, then closes the connection. */
        CUT_AFTER,
        /**
         * Answers with status {@code amount} and a registry error, without asking the upstream;
         * with {@code Retry-After: value} when value is set.
         */
        STATUS,
        /** Accepts the request and never answers (until the faults are cleared). */
        STALL,
        /** Relays the body at {@code amount} bytes per second. */
        THROTTLE,
        /** Answers 200 with {@code Content-Length: 0}, without asking the upstream (a proxy that lost the bytes). */
        EMPTY_BODY,
        /** Answers 307 to {@code value} + the request's path and query (a CDN elsewhere). */
        REDIRECT,
        /**
         * Answers 401 with a Basic challenge unless the request carries {@code Authorization: value};
         * checked before every other fault, and forwards what it lets through.
         */
        CHALLENGE_BASIC,
        /** Sends {@code amount} bytes of the body, then nothing more, keeping the connection open. */
        STALL_AFTER,
        /**
         * Answers 200 with a manifest media type and a chunked body of JSON whitespace that never
         * ends, without asking the upstream, as fast as the client reads it.
         */
        ENDLESS_BODY,
        /** The same with {@code Content-Length: amount}, ending after {@code amount} bytes. */
        OVERSIZED_BODY,
        /**
         * Announces a {@code Content-Length} {@code amount} bytes smaller than the body, sends the
         * whole body anyway, then closes the connection (what follows the announced length is garbage).
         */
        SHORT_LENGTH,
        /**
         * Announces a {@code Content-Length} {@code amount} bytes larger than the body, sends the
         * whole body, then nothing more, keeping the connection open.
         */
        LONG_LENGTH,
        /**
         * Drops the {@code Content-Length} and sends the body chunked, ending it cleanly after
         * {@code amount} bytes ({@code Long.MAX_VALUE}: the whole body).
         */
        CHUNKED,
        /** HEAD answers announce a {@code Content-Length} {@code amount} bytes off; GETs pass untouched. */
        HEAD_LENGTH
    }

    static Fault flipByte(String pathPart, long offset) {
        return new Fault(Kind.FLIP_BYTE, pathPart, offset);
    }

    static Fault cutAfter(String pathPart, long bytes) {
        return new Fault(Kind.CUT_AFTER, pathPart, bytes);
    }

    static Fault status(String pathPart, int status) {
        return new Fault(Kind.STATUS, pathPart, status);
    }

    /** 429 with {@code Retry-After: retryAfter} (null: no such header). */
    static Fault rateLimited(String pathPart, String retryAfter) {
        return new Fault(Kind.STATUS, pathPart, 429, retryAfter);
    }

    static Fault redirect(String pathPart, String targetBaseUrl) {
        return new Fault(Kind.REDIRECT, pathPart, 0, targetBaseUrl);
    }

    static Fault challengeBasic(String pathPart, String authorization) {
        return new Fault(Kind.CHALLENGE_BASIC, pathPart, 0, authorization);
    }

    static Fault stall(String pathPart) {
        return new Fault(Kind.STALL, pathPart, 0);
    }

    static Fault throttle(String pathPart, long bytesPerSecond) {
        return new Fault(Kind.THROTTLE, pathPart, bytesPerSecond);
    }

    static Fault stallAfter(String pathPart, long bytes) {
        return new Fault(Kind.STALL_AFTER, pathPart, bytes);
    }

    static Fault endlessBody(String pathPart) {
        return new Fault(Kind.ENDLESS_BODY, pathPart, 0);
    }

    static Fault oversizedBody(String pathPart, long bytes) {
        return new Fault(Kind.OVERSIZED_BODY, pathPart, bytes);
    }

    static Fault shortLength(String pathPart, long missing) {
        return new Fault(Kind.SHORT_LENGTH, pathPart, missing);
    }

    static Fault longLength(String pathPart, long extra) {
        return new Fault(Kind.LONG_LENGTH, pathPart, extra);
    }

    /** The whole body, chunked, with no length. */
    static Fault chunked(String pathPart) {
        return new Fault(Kind.CHUNKED, pathPart, Long.MAX_VALUE);
    }

    /** A chunked body with no length that ends cleanly after {@code bytes}: short of the blob. */
    static Fault chunkedEndingAfter(String pathPart, long bytes) {
        return new Fault(Kind.CHUNKED, pathPart, bytes);
    }

    static Fault headLength(String pathPart, long delta) {
        return new Fault(Kind.HEAD_LENGTH, pathPart, delta);
    }

    static Fault emptyBody(String pathPart) {
        return new Fault(Kind.EMPTY_BODY, pathPart, 0);
    }

    boolean matches(String path) {
        return path.contains(pathPart);
    }
}
