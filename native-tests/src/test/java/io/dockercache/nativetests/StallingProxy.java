package io.dockercache.nativetests;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy that forwards untouched until {@link #stall()}, then takes every request and
 * never answers it (the connection stays open, silent: a storage endpoint that hangs, not one
 * that refuses). {@link #recover()} closes what it held and forwards again.
 */
final class StallingProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final Forwarder forwarder;
    private final int port = FreePort.next();
    private final List<HttpConnection> held = new CopyOnWriteArrayList<>();
    private final AtomicLong heldRequests = new AtomicLong();
    private volatile boolean stalled;
    private HttpServer server;

    private StallingProxy(String targetUrl) {
        this.forwarder = new Forwarder(vertx, targetUrl);
    }

    /** A proxy of {@code targetUrl} ({@code http://host:port}). */
    static StallingProxy start(String targetUrl) {
        StallingProxy proxy = new StallingProxy(targetUrl);
        proxy.server = proxy.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(proxy.port))
                .requestHandler(proxy::handle);
        Blocking.await(proxy.server.listen(), "the stalling proxy listening on " + proxy.port);
        return proxy;
    }

    /** The proxy's base URL; append {@code /<account>} for an Azure endpoint. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    void stall() {
        stalled = true;
    }

    void recover() {
        stalled = false;
        held.forEach(HttpConnection::close);
        held.clear();
    }

    /** Requests taken and never answered while stalled. */
    long heldRequests() {
        return heldRequests.get();
    }

    private void handle(HttpServerRequest in) {
        if (stalled) {
            heldRequests.incrementAndGet();
            held.add(in.connection());
            in.pause(); // not even the body is read
            return;
        }
        forwarder.forward(in, in.uri(), null, null);
    }

    @Override
    public void close() {
        recover();
        if (server != null) {
            Blocking.await(server.close(), "closing the stalling proxy");
        }
        Blocking.await(vertx.close(), "closing the stalling proxy's Vert.x");
    }

    @Override
    public String toString() {
        return "stalling proxy " + url() + (stalled ? " (stalled)" : "") + ": " + heldRequests + " requests held";
    }
}
