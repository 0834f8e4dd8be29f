package io.dockercache.nativetests;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.util.Set;

/**
 * Streams an upstream response to the client with backpressure, never holding the whole body;
 * optionally flips one byte, cuts the body short, stalls it, throttles it or lies about its length.
 */
final class Relay {

    /** Hop-by-hop headers (RFC 9110 §7.6.1) and the framing the relay decides itself. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");

    private final Vertx vertx;
    private final HttpClientResponse from;
    private final HttpServerResponse to;
    private final Fault fault;
    private long offset;
    private int holds;
    private boolean done;
    private boolean stalled;
    private boolean awaitingDrain;
    private long startNanos;

    /** {@code fault} may be null, or a body fault: flip, cut, stall, throttle or a lying length. */
    Relay(Vertx vertx, HttpClientResponse from, HttpServerResponse to, Fault fault) {
        this.vertx = vertx;
        this.from = from;
        this.to = to;
        this.fault = fault;
    }

    static void copyHeaders(MultiMap source, MultiMap target) {
        source.forEach(header -> {
            if (!HOP_BY_HOP.contains(header.getKey().toLowerCase())) {
                target.add(header.getKey(), header.getValue());
            }
        });
    }

    void start() {
        to.setStatusCode(from.statusCode());
        copyHeaders(from.headers(), to.headers());
        if (!from.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            to.setChunked(true);
        }
        lieAboutLength();
        startNanos = System.nanoTime();
        from.handler(this::onChunk);
        from.endHandler(v -> {
            if (done) {
                return;
            }
            done = true;
            if (is(Fault.Kind.LONG_LENGTH)) {
                stalled = true; // the announced rest never comes; only the reader's timeout ends it
            } else if (is(Fault.Kind.SHORT_LENGTH)) {
                to.end().onComplete(ended -> to.close());
            } else {
                to.end();
            }
        });
        from.exceptionHandler(e -> abort());
        to.closeHandler(v -> {
            if (!done || stalled) {
                done = true;
                from.request().reset();
            }
        });
    }

    /** The length faults: another {@code Content-Length} than the body's, or none (chunked). */
    private void lieAboutLength() {
        String announced = from.getHeader(HttpHeaders.CONTENT_LENGTH);
        long length = announced == null ? -1 : Long.parseLong(announced.trim());
        boolean head = from.request().getMethod() == HttpMethod.HEAD;
        if (is(Fault.Kind.CHUNKED) && !head) {
            to.headers().remove(HttpHeaders.CONTENT_LENGTH);
            to.setChunked(true);
        } else if (length >= 0 && (is(Fault.Kind.SHORT_LENGTH) || is(Fault.Kind.LONG_LENGTH)
                || is(Fault.Kind.HEAD_LENGTH) && head)) {
            long lie = is(Fault.Kind.SHORT_LENGTH) ? length - fault.amount() : length + fault.amount();
            to.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(lie));
        }
    }

    private void onChunk(Buffer chunk) {
        if (done) {
            return;
        }
        long start = offset;
        offset += chunk.length();
        if (is(Fault.Kind.CHUNKED) && offset > fault.amount()) {
            // A clean end of a short body: nothing in the framing tells the reader bytes are missing.
            to.end(chunk.slice(0, (int) Math.max(0, fault.amount() - start)));
            done = true;
            from.request().reset();
            return;
        }
        Buffer out = chunk;
        if (is(Fault.Kind.FLIP_BYTE) && start <= fault.amount() && fault.amount() < offset) {
            out = chunk.copy();
            int at = (int) (fault.amount() - start);
            out.setByte(at, (byte) ~out.getByte(at));
        }
        if (is(Fault.Kind.CUT_AFTER) && offset > fault.amount()) {
            to.write(out.slice(0, (int) (fault.amount() - start)));
            abort();
            return;
        }
        if (is(Fault.Kind.STALL_AFTER) && offset > fault.amount()) {
            // The rest never comes, and the connection stays open: only the reader's timeout ends it.
            to.write(out.slice(0, (int) Math.max(0, fault.amount() - start)));
            done = true;
            stalled = true;
            from.pause();
            return;
        }
        to.write(out);
        if (to.writeQueueFull() && !awaitingDrain) {
            awaitingDrain = true;
            hold();
            to.drainHandler(v -> {
                awaitingDrain = false;
                release();
            });
        }
        if (is(Fault.Kind.THROTTLE)) {
            long dueNanos = startNanos + offset * 1_000_000_000L / fault.amount();
            long waitMillis = (dueNanos - System.nanoTime()) / 1_000_000L;
            if (waitMillis > 0) {
                hold();
                vertx.setTimer(waitMillis, t -> release());
            }
        }
    }

    private boolean is(Fault.Kind kind) {
        return fault != null && fault.kind() == kind;
    }

    /** Closes the client's connection mid-body (a reset, not a clean end) and drops the upstream request. */
    private void abort() {
        done = true;
        from.request().reset();
        to.reset();
    }

    private void hold() {
        if (holds++ == 0) {
            from.pause();
        }
    }

    private void release() {
        if (--holds == 0 && !done) {
            from.resume();
        }
    }
}
