package io.dockercache.nativetests;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An upstream on 127.0.0.1 that tries to lead the cache astray, reached by the names of a hosts
 * file the cache resolves with. A blob GET is redirected to {@code cdnHost}; a manifest GET is
 * challenged with a Bearer realm on {@code realmHost}. Both targets answer if they are reached,
 * and every request is recorded with its {@code Host} header.
 */
final class HostileUpstream implements AutoCloseable {

    static final byte[] BLOB = "bytes a redirect target must never serve".getBytes(StandardCharsets.UTF_8);
    static final String BLOB_DIGEST = Sha256.of(BLOB);

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final String cdnHost;
    private final String realmHost;
    private final List<String> seen = new ArrayList<>();

    private HostileUpstream(String cdnHost, String realmHost) {
        this.cdnHost = cdnHost;
        this.realmHost = realmHost;
        this.server = Blocking.await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle).listen(), "HostileUpstream listening");
    }

    /** {@code cdnHost} and {@code realmHost} must resolve to 127.0.0.1 for the cache. */
    static HostileUpstream start(String cdnHost, String realmHost) {
        return new HostileUpstream(cdnHost, realmHost);
    }

    int port() {
        return server.actualPort();
    }

    /** Requests seen, as {@code host:port/path}. */
    synchronized List<String> seen() {
        return List.copyOf(seen);
    }

    /** Requests that arrived under {@code host}. */
    synchronized long seenUnder(String host) {
        return seen.stream().filter(s -> s.startsWith(host + ":")).count();
    }

    private void handle(HttpServerRequest in) {
        synchronized (this) {
            seen.add(in.getHeader("Host") + in.path());
        }
        String path = in.path();
        if (path.startsWith("/cdn/")) {
            in.response().end(io.vertx.core.buffer.Buffer.buffer(BLOB));
        } else if (path.equals("/token")) {
            in.response().putHeader("Content-Type", "application/json").end("{\"token\":\"stolen\"}");
        } else if (path.contains("/blobs/")) {
            in.response().setStatusCode(307)
                    .putHeader("Location", "http://" + cdnHost + ":" + port() + "/cdn/blob").end();
        } else if (path.contains("/manifests/")) {
            in.response().setStatusCode(401).putHeader("WWW-Authenticate",
                    "Bearer realm=\"http://" + realmHost + ":" + port() + "/token\",service=\"registry\"").end();
        } else {
            in.response().setStatusCode(404).end();
        }
    }

    @Override
    public void close() {
        Blocking.await(vertx.close(), "closing HostileUpstream");
    }

    @Override
    public String toString() {
        return "HostileUpstream" + seen();
    }
}
