package io.dockercache.nativetests;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A registry shaped like {@code registry.k8s.io}: {@code /v2/} answers 200 with no challenge, and
 * every other request, manifests included, is redirected (307) to another registry under a longer
 * repository name ({@code pause} to {@code k8s-artifacts-prod/images/pause}), as registry.k8s.io
 * sends clients to a regional Artifact Registry whose own token challenge then applies.
 */
final class RedirectingFront implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final int port = FreePort.next();
    private final String target;
    private final String namePrefix;
    private final RequestCounter requests = new RequestCounter();
    private final HttpServer server;

    private RedirectingFront(String target, String namePrefix) {
        this.target = target;
        this.namePrefix = namePrefix;
        this.server = Blocking.await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
                .requestHandler(this::handle).listen(port), "RedirectingFront listening on " + port);
    }

    /** Redirects {@code /v2/<name>/...} to {@code <target>/v2/<namePrefix><name>/...}. */
    static RedirectingFront start(String target, String namePrefix) {
        return new RedirectingFront(target, namePrefix);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    RequestCounter requests() {
        return requests;
    }

    private void handle(HttpServerRequest in) {
        requests.record(in.method().name(), in.path());
        in.response().putHeader("Docker-Distribution-API-Version", "registry/2.0");
        if (in.path().equals("/v2/") || in.path().equals("/v2")) {
            in.response().putHeader("Content-Type", "application/json").end("{}");
            return;
        }
        if (!in.path().startsWith("/v2/")) {
            in.response().setStatusCode(404).end();
            return;
        }
        String rest = in.uri().substring("/v2/".length());
        in.response().setStatusCode(307).putHeader("Location", target + "/v2/" + namePrefix + rest).end();
    }

    @Override
    public void close() {
        Blocking.await(server.close(), "RedirectingFront closing");
        Blocking.await(vertx.close(), "RedirectingFront vertx closing");
    }
}
