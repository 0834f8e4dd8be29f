package io.dockercache.nativetests;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of Azurite that spoils a fixed share of requests, in a fixed rhythm: of
 * every {@code period} requests one is answered 503 {@code ServerBusy} as Azure does when
 * throttling, one has its connection closed without an answer, and one GET has its body cut after
 * a few bytes. The rest are forwarded untouched (Shared Key signatures do not cover the host).
 */
final class StorageFaultProxy implements AutoCloseable {

    private static final long CUT_AFTER_BYTES = 1000;

    private final Vertx vertx = Vertx.vertx();
    private final Forwarder forwarder;
    private final int port = FreePort.next();
    private final int period;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong cuts = new AtomicLong();
    private HttpServer server;

    private StorageFaultProxy(String targetUrl, int period) {
        this.forwarder = new Forwarder(vertx, targetUrl);
        this.period = period;
    }

    /** A proxy of {@code targetUrl} ({@code http://host:port}) spoiling 3 of every {@code period} requests. */
    static StorageFaultProxy start(String targetUrl, int period) {
        StorageFaultProxy proxy = new StorageFaultProxy(targetUrl, period);
        proxy.server = proxy.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(proxy.port))
                .requestHandler(proxy::handle);
        Blocking.await(proxy.server.listen(), "the storage fault proxy listening on " + proxy.port);
        return proxy;
    }

    /** The proxy's base URL; append {@code /<account>} for an Azure endpoint. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    long busyAnswers() {
        return busy.get();
    }

    long resets() {
        return resets.get();
    }

    long cutBodies() {
        return cuts.get();
    }

    long requests() {
        return requests.get();
    }

    private void handle(HttpServerRequest in) {
        long n = requests.incrementAndGet() % period;
        if (n == 1) {
            busy.incrementAndGet();
            in.body().onComplete(ignored -> in.response()
                    .setStatusCode(503)
                    .putHeader("Content-Type", "application/xml")
                    .putHeader("x-ms-error-code", "ServerBusy")
                    .end("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code>"
                            + "<Message>injected by the test's StorageFaultProxy</Message></Error>"));
        } else if (n == 3) {
            resets.incrementAndGet();
            in.connection().close();
        } else if (n == 5 && in.method().name().equals("GET")) {
            cuts.incrementAndGet();
            forwarder.forward(in, in.uri(), Fault.cutAfter("", CUT_AFTER_BYTES), null);
        } else {
            forwarder.forward(in, in.uri(), null, null);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            Blocking.await(server.close(), "closing the storage fault proxy");
        }
        Blocking.await(vertx.close(), "closing the storage fault proxy's Vert.x");
    }

    @Override
    public String toString() {
        return "storage fault proxy " + url() + ": " + requests + " requests, " + busy + " ServerBusy, "
                + resets + " resets, " + cuts + " cut bodies";
    }
}
