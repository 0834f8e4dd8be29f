package io.dockercache.nativetests;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of the upstream registry: counts every request by method and path,
 * records each one's headers (so tests can see which credentials reached which host) and
 * injects {@link Fault}s on demand; stopped, its port refuses connections. Streams bodies.
 */
final class FaultProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final Forwarder forwarder;
    private final int port = FreePort.next();
    private final RequestCounter requests = new RequestCounter();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<HttpServerRequest> stalled = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> recorded = new CopyOnWriteArrayList<>();
    private final AtomicLong generatedBytes = new AtomicLong();
    private HttpServer server;

    private FaultProxy(String upstreamUrl) {
        this.forwarder = new Forwarder(vertx, upstreamUrl);
    }

    /** A proxy of {@code upstreamUrl} ({@code http://host:port}), listening. */
    static FaultProxy start(String upstreamUrl) {
        FaultProxy proxy = new FaultProxy(upstreamUrl);
        proxy.listen();
        return proxy;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    RequestCounter requests() {
        return requests;
    }

    /** Every request since the start (or {@link #forgetRecorded()}), headers included, in order of arrival. */
    List<RecordedRequest> recorded() {
        return List.copyOf(recorded);
    }

    /** Body bytes the {@link Fault.Kind#ENDLESS_BODY} and {@link Fault.Kind#OVERSIZED_BODY} faults have sent. */
    long generatedBytes() {
        return generatedBytes.get();
    }

    void forgetRecorded() {
        recorded.clear();
    }

    /** Applies {@code fault} to matching requests from now on, until {@link #clearFaults()}. */
    void inject(Fault fault) {
        faults.add(fault);
    }

    /** Removes every fault; stalled requests get their connection closed. */
    void clearFaults() {
        faults.clear();
        stalled.forEach(request -> vertx.runOnContext(v -> request.connection().close()));
        stalled.clear();
    }

    /** Stops listening and closes open connections: the upstream looks down (connection refused). */
    void stop() {
        if (server != null) {
            Blocking.await(server.close(), "closing the proxy on " + url());
            server = null;
        }
    }

    /** Listens again on the same port after {@link #stop()}. */
    void resume() {
        if (server == null) {
            listen();
        }
    }

    private void listen() {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(this::handle);
        Blocking.await(server.listen(), "the proxy listening on " + url());
    }

    private void handle(HttpServerRequest in) {
        String path = in.path();
        requests.record(in.method().name(), path);
        recorded.add(RecordedRequest.of(in));
        Fault challenge = faults.stream().filter(f -> f.kind() == Fault.Kind.CHALLENGE_BASIC && f.matches(path))
                .findFirst().orElse(null);
        if (challenge != null && !challenge.value().equals(in.getHeader("Authorization"))) {
            in.response().setStatusCode(401)
                    .putHeader("WWW-Authenticate", "Basic realm=\"fault-proxy\"")
                    .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                    .end();
            return;
        }
        Fault fault = faults.stream().filter(f -> f.kind() != Fault.Kind.CHALLENGE_BASIC && f.matches(path))
                .findFirst().orElse(null);
        if (fault != null && fault.kind() == Fault.Kind.STATUS) {
            if (fault.value() != null) {
                in.response().putHeader("Retry-After", fault.value());
            }
            answerError(in, (int) fault.amount());
            return;
        }
        if (fault != null && fault.kind() == Fault.Kind.REDIRECT) {
            in.response().setStatusCode(307).putHeader("Location", fault.value() + in.uri())
                    .putHeader("Docker-Distribution-API-Version", "registry/2.0").end();
            return;
        }
        if (fault != null && fault.kind() == Fault.Kind.EMPTY_BODY) {
            in.response().putHeader("Content-Type", "application/octet-stream")
                    .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                    .putHeader("Content-Length", "0")
                    .end();
            return;
        }
        if (fault != null && (fault.kind() == Fault.Kind.ENDLESS_BODY || fault.kind() == Fault.Kind.OVERSIZED_BODY)) {
            generate(in, fault.kind() == Fault.Kind.ENDLESS_BODY ? Long.MAX_VALUE : fault.amount());
            return;
        }
        if (fault != null && fault.kind() == Fault.Kind.STALL) {
            stalled.add(in);
            return;
        }
        forwarder.forward(in, in.uri(), fault, null);
    }

    private static final Buffer WHITESPACE = Buffer.buffer(" ".repeat(64 * 1024));

    /** A "manifest" of {@code length} bytes of JSON whitespace (unbounded: chunked), at the reader's pace. */
    private void generate(HttpServerRequest in, long length) {
        var response = in.response().setStatusCode(200)
                .putHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .putHeader("Docker-Distribution-API-Version", "registry/2.0");
        if (length == Long.MAX_VALUE) {
            response.setChunked(true);
        } else {
            response.putHeader("Content-Length", Long.toString(length));
        }
        long[] left = {length};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (!response.closed() && !response.writeQueueFull() && left[0] > 0) {
                Buffer chunk = left[0] >= WHITESPACE.length() ? WHITESPACE : WHITESPACE.getBuffer(0, (int) left[0]);
                left[0] -= chunk.length();
                generatedBytes.addAndGet(chunk.length());
                response.write(chunk);
            }
            if (left[0] == 0 && !response.closed()) {
                response.end();
            }
        };
        response.drainHandler(v -> pump[0].run());
        pump[0].run();
    }

    private static void answerError(HttpServerRequest in, int status) {
        String code = switch (status) {
            case 429 -> "TOOMANYREQUESTS";
            case 503 -> "UNAVAILABLE";
            default -> "UNKNOWN";
        };
        JsonObject error = new JsonObject().put("code", code).put("message", "injected by the test's FaultProxy");
        in.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                .end(new JsonObject().put("errors", new JsonArray().add(error)).encode());
    }

    @Override
    public void close() {
        stop();
        Blocking.await(vertx.close(), "closing the proxy's Vert.x");
    }
}
