package io.dockercache.nativetests;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Sends a received request on to the upstream registry and relays the answer, streaming. */
final class Forwarder {

    private final Vertx vertx;
    private final URI upstream;
    private final HttpClient client;

    Forwarder(Vertx vertx, String upstreamUrl) {
        this.vertx = vertx;
        this.upstream = URI.create(upstreamUrl);
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(64));
    }

    /**
     * Forwards {@code in} as {@code uri} on the upstream, with its method, headers (less hop-by-hop
     * and {@code excludedHeader}, if any) and body; {@code fault} (may be null) shapes the relayed body.
     */
    void forward(HttpServerRequest in, String uri, Fault fault, String excludedHeader) {
        in.body().onSuccess(body -> {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            Relay.copyHeaders(in.headers(), headers);
            headers.remove(HttpHeaders.CONTENT_LENGTH);
            if (excludedHeader != null) {
                headers.remove(excludedHeader);
            }
            RequestOptions options = new RequestOptions()
                    .setMethod(in.method())
                    .setHost(upstream.getHost())
                    .setPort(upstream.getPort())
                    .setURI(uri)
                    .setHeaders(headers);
            client.request(options)
                    .compose(request -> request.send(body))
                    .onSuccess(response -> new Relay(vertx, response, in.response(), fault).start())
                    .onFailure(e -> in.response().setStatusCode(502).end("upstream failed: " + e));
        }).onFailure(e -> in.connection().close());
    }
}
