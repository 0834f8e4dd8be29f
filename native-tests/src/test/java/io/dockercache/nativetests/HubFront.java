package io.dockercache.nativetests;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Docker-Hub-like front of the upstream registry: Bearer token auth with a token endpoint,
 * and blob GETs redirected (307) to a separate "CDN" port that refuses any request carrying
 * {@code Authorization}, as Docker Hub's CDN does with credentials not meant for it.
 */
final class HubFront implements AutoCloseable {

    static final String SERVICE = "test-registry";

    private final Vertx vertx = Vertx.vertx();
    private final Forwarder forwarder;
    private final int port = FreePort.next();
    private final int cdnPort = FreePort.next();
    private final Map<String, Set<String>> scopesByToken = new ConcurrentHashMap<>();
    private final Map<String, Integer> tokensByScope = new TreeMap<>();
    private final Map<String, Integer> cdnDownloads = new TreeMap<>();
    private final RequestCounter frontRequests = new RequestCounter();
    private final RequestCounter cdnRequests = new RequestCounter();
    private int cdnRejected;
    private int tokenRequestsRefused;
    /** {@code Basic <base64(user:password)>} the token endpoint demands, or null for anonymous tokens. */
    private final String requiredAuthorization;
    private HttpServer front;
    private HttpServer cdn;

    private HubFront(String upstreamUrl, String requiredAuthorization) {
        this.forwarder = new Forwarder(vertx, upstreamUrl);
        this.requiredAuthorization = requiredAuthorization;
    }

    /** A front whose token endpoint issues tokens to anyone, as Docker Hub does for public images. */
    static HubFront start(String upstreamUrl) {
        return start(upstreamUrl, null, null);
    }

    /** A front whose token endpoint demands these credentials (HTTP Basic), else answers 401. */
    static HubFront start(String upstreamUrl, String username, String password) {
        String authorization = username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        HubFront hub = new HubFront(upstreamUrl, authorization);
        hub.front = hub.listen(hub.port, hub::handleFront);
        hub.cdn = hub.listen(hub.cdnPort, hub::handleCdn);
        return hub;
    }

    /** The registry's base URL, what the cache gets as its remote. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    String cdnUrl() {
        return "http://127.0.0.1:" + cdnPort;
    }

    synchronized int tokensIssued(String scope) {
        return tokensByScope.getOrDefault(scope, 0);
    }

    /** Tokens issued for any scope on {@code repository} ({@code repository:<name>:<actions>}). */
    synchronized int tokensIssuedFor(String repository) {
        String prefix = "repository:" + repository + ":";
        return tokensByScope.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(Map.Entry::getValue).sum();
    }

    synchronized Map<String, Integer> tokensByScope() {
        return Map.copyOf(tokensByScope);
    }

    /** Complete-or-not GETs of the blob that the CDN served. */
    synchronized int cdnDownloads(String digest) {
        return cdnDownloads.getOrDefault(digest, 0);
    }

    synchronized Map<String, Integer> cdnDownloads() {
        return Map.copyOf(cdnDownloads);
    }

    /** Token requests refused for missing or wrong credentials. */
    synchronized int tokenRequestsRefused() {
        return tokenRequestsRefused;
    }

    /** CDN requests refused because they carried {@code Authorization}. */
    synchronized int cdnRejected() {
        return cdnRejected;
    }

    RequestCounter frontRequests() {
        return frontRequests;
    }

    RequestCounter cdnRequests() {
        return cdnRequests;
    }

    private HttpServer listen(int listenPort, Handler<HttpServerRequest> handler) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(listenPort))
                .requestHandler(handler);
        return Blocking.await(server.listen(), "HubFront listening on " + listenPort);
    }

    private void handleFront(HttpServerRequest in) {
        String path = in.path();
        frontRequests.record(in.method().name(), path);
        if (path.equals("/token")) {
            issueToken(in);
            return;
        }
        if (!path.startsWith("/v2/")) {
            in.response().setStatusCode(404).end();
            return;
        }
        String name = repositoryName(path);
        String scope = name == null ? null : "repository:" + name + ":pull";
        if (!authorized(in.getHeader("Authorization"), name)) {
            challenge(in, scope);
            return;
        }
        int blobs = path.indexOf("/blobs/");
        if (blobs > 0 && !path.contains("/blobs/uploads")
                && (in.method() == HttpMethod.GET || in.method() == HttpMethod.HEAD)) {
            String digest = path.substring(blobs + "/blobs/".length());
            in.response().setStatusCode(307)
                    .putHeader("Location", cdnUrl() + "/cdn/" + name + "/blobs/" + digest + "?expires=300&sig=test")
                    .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                    .end();
            return;
        }
        forwarder.forward(in, in.uri(), null, "Authorization");
    }

    private void handleCdn(HttpServerRequest in) {
        String path = in.path();
        cdnRequests.record(in.method().name(), path);
        if (in.getHeader("Authorization") != null) {
            synchronized (this) {
                cdnRejected++;
            }
            in.response().setStatusCode(403).end("<Error><Code>AccessDenied</Code>"
                    + "<Message>Authorization header not allowed for this CDN</Message></Error>");
            return;
        }
        if (!path.startsWith("/cdn/") || !path.contains("/blobs/")) {
            in.response().setStatusCode(404).end();
            return;
        }
        if (in.method() == HttpMethod.GET) {
            String digest = path.substring(path.indexOf("/blobs/") + "/blobs/".length());
            synchronized (this) {
                cdnDownloads.merge(digest, 1, Integer::sum);
            }
        }
        forwarder.forward(in, "/v2/" + path.substring("/cdn/".length()), null, "Authorization");
    }

    /** {@code GET /token?service=..&scope=..}: one token per request, counted per scope asked for. */
    private void issueToken(HttpServerRequest in) {
        if (requiredAuthorization != null && !requiredAuthorization.equals(in.getHeader("Authorization"))) {
            synchronized (this) {
                tokenRequestsRefused++;
            }
            in.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"token\"")
                    .putHeader("Content-Type", "application/json")
                    .end("{\"details\":\"incorrect username or password\"}");
            return;
        }
        Set<String> scopes = ConcurrentHashMap.newKeySet();
        for (String param : in.params().getAll("scope")) {
            for (String scope : param.split(" ")) {
                if (!scope.isBlank()) {
                    scopes.add(scope);
                }
            }
        }
        String token = "tok-" + UUID.randomUUID();
        scopesByToken.put(token, scopes);
        synchronized (this) {
            scopes.forEach(scope -> tokensByScope.merge(scope, 1, Integer::sum));
            if (scopes.isEmpty()) {
                tokensByScope.merge("", 1, Integer::sum);
            }
        }
        in.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("token", token).put("access_token", token).put("expires_in", 300)
                        .put("issued_at", Instant.now().toString()).encode());
    }

    /** A token for a scope {@code repository:<name>:<actions>} whose actions include pull. */
    private boolean authorized(String authorization, String name) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        Set<String> scopes = scopesByToken.get(authorization.substring("Bearer ".length()).trim());
        if (scopes == null) {
            return false;
        }
        if (name == null) {
            return true;
        }
        String prefix = "repository:" + name + ":";
        return scopes.stream().anyMatch(s -> s.startsWith(prefix)
                && Set.of(s.substring(prefix.length()).split(",")).contains("pull"));
    }

    private void challenge(HttpServerRequest in, String scope) {
        String header = "Bearer realm=\"" + url() + "/token\",service=\"" + SERVICE + "\""
                + (scope == null ? "" : ",scope=\"" + scope + "\"");
        JsonObject error = new JsonObject().put("code", "UNAUTHORIZED").put("message", "authentication required");
        in.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", header)
                .putHeader("Content-Type", "application/json")
                .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                .end(new JsonObject().put("errors", new JsonArray().add(error)).encode());
    }

    /** The repository in {@code /v2/<name>/(manifests|blobs|tags)/...}, null for {@code /v2/} and the catalog. */
    private static String repositoryName(String path) {
        String rest = path.substring("/v2/".length());
        for (String marker : new String[] {"/manifests/", "/blobs/", "/tags/"}) {
            int at = rest.lastIndexOf(marker);
            if (at > 0) {
                return rest.substring(0, at);
            }
        }
        return null;
    }

    @Override
    public void close() {
        Blocking.await(front.close(), "closing HubFront");
        Blocking.await(cdn.close(), "closing the CDN");
        Blocking.await(vertx.close(), "closing HubFront's Vert.x");
    }

    @Override
    public synchronized String toString() {
        return "HubFront tokens=" + new TreeMap<>(tokensByScope) + " cdnDownloads=" + cdnDownloads
                + " cdnRejected=" + cdnRejected + " tokenRequestsRefused=" + tokenRequestsRefused;
    }
}
