package io.dockercache.nativetests;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of Azurite for one cache process that, once {@link #hold armed}, stops
 * that process in the middle of its blob upload: a staged block or the commit (Put Block List) is
 * held and never reaches Azurite, or the commit is done in Azurite and its answer never comes back.
 * Everything else, and everything once disarmed, is forwarded untouched.
 */
final class StorageGate implements AutoCloseable {

    /** Where the upload is stopped. */
    enum Point {
        /** A {@code PUT ?comp=block} is held: the upload is under way, nothing is committed. */
        STAGE_BLOCK,
        /** The {@code PUT ?comp=blocklist} is held: every block is staged, the blob does not exist. */
        COMMIT,
        /** The {@code PUT ?comp=blocklist} reaches Azurite, which creates the blob; its answer is held. */
        COMMIT_ANSWER
    }

    private final Vertx vertx = Vertx.vertx();
    private final Forwarder forwarder;
    private final HttpClient client;
    private final URI target;
    private final int port = FreePort.next();
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger holding = new AtomicInteger();
    private volatile Point point;
    private HttpServer server;

    private StorageGate(String targetUrl) {
        this.target = URI.create(targetUrl);
        this.forwarder = new Forwarder(vertx, targetUrl);
        this.client = vertx.createHttpClient();
    }

    /** A gate of {@code targetUrl} ({@code http://host:port}), listening, not armed. */
    static StorageGate start(String targetUrl) {
        StorageGate gate = new StorageGate(targetUrl);
        gate.server = gate.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(gate.port))
                .requestHandler(gate::handle);
        Blocking.await(gate.server.listen(), "the storage gate listening on " + gate.port);
        return gate;
    }

    /** The gate's base URL; append {@code /<account>} for an Azure endpoint. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** From now on, stops the first upload request at {@code point}, and every later one. */
    void hold(Point point) {
        this.point = point;
    }

    /** Requests held so far (the upload is stopped once this is positive). */
    int held() {
        return holding.get();
    }

    /** Forwards everything from now on; held requests get their connection closed. */
    void disarm() {
        point = null;
        held.forEach(request -> vertx.runOnContext(v -> request.connection().close()));
        held.clear();
    }

    private void handle(HttpServerRequest in) {
        Point armed = point;
        String comp = in.getParam("comp");
        boolean put = in.method().name().equals("PUT");
        if (armed == Point.STAGE_BLOCK && put && "block".equals(comp)
                || armed == Point.COMMIT && put && "blocklist".equals(comp)) {
            held.add(in);
            holding.incrementAndGet();
            return;
        }
        if (armed == Point.COMMIT_ANSWER && put && "blocklist".equals(comp)) {
            commitThenHold(in);
            return;
        }
        forwarder.forward(in, in.uri(), null, null);
    }

    /** Sends the commit on to Azurite; once it answered (the blob exists), the cache hears nothing. */
    private void commitThenHold(HttpServerRequest in) {
        held.add(in);
        in.body().onSuccess(body -> {
            RequestOptions options = new RequestOptions().setMethod(in.method()).setHost(target.getHost())
                    .setPort(target.getPort()).setURI(in.uri());
            in.headers().forEach(h -> {
                if (!Relay.HOP_BY_HOP.contains(h.getKey().toLowerCase())) {
                    options.addHeader(h.getKey(), h.getValue());
                }
            });
            client.request(options).compose(request -> request.send(body)).compose(response -> response.body())
                    .onComplete(done -> holding.incrementAndGet());
        });
    }

    @Override
    public void close() {
        disarm();
        if (server != null) {
            Blocking.await(server.close(), "closing the storage gate");
        }
        Blocking.await(vertx.close(), "closing the storage gate's Vert.x");
    }

    @Override
    public String toString() {
        return "storage gate " + url() + " holding " + held() + " requests at " + point;
    }
}
