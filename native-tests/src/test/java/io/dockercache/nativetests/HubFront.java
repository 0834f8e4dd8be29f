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
 *
 * <p>The token lifecycle can be shaped ({@link #tokenLifetime}, {@link #tokenEndpoint},
 * {@link #revokeTokens}, {@link #refuseEveryToken}); {@link #tokenRequests()} counts what reached
 * the token endpoint, answered or not.
 */
final class HubFront implements AutoCloseable {

    static final String SERVICE = "test-registry";
    /** What Docker Hub says a token lives: {@code expires_in} of a default front. */
    static final int DEFAULT_LIFETIME_SECONDS = 300;

    /** How the token endpoint answers. */
    enum TokenEndpoint {
        /** A token document, at once. */
        ISSUE,
        /** 500 with an HTML body, as an auth service behind a broken load balancer. */
        FAIL_500,
        /** Accepts the request and never answers. */
        STALL,
        /** Sends 200 and headers, then one byte of a never-ending document every 500 ms: no idle gap. */
        TRICKLE
    }

    private final Vertx vertx = Vertx.vertx();
    private final Forwarder forwarder;
    private final int port = FreePort.next();
    private final int cdnPort = FreePort.next();
    private final Map<String, Set<String>> scopesByToken = new ConcurrentHashMap<>();
    private final Map<String, Integer> tokensByScope = new TreeMap<>();
    private final Map<String, Integer> cdnDownloads = new TreeMap<>();
    private final Map<String, Integer> challengesByRepository = new TreeMap<>();
    private final RequestCounter frontRequests = new RequestCounter();
    private final RequestCounter cdnRequests = new RequestCounter();
    private int cdnRejected;
    private int tokenRequestsRefused;
    private volatile Integer tokenLifetime = DEFAULT_LIFETIME_SECONDS;
    private volatile TokenEndpoint tokenEndpoint = TokenEndpoint.ISSUE;
    private volatile boolean refuseEveryToken;
    private final Set<Long> timers = ConcurrentHashMap.newKeySet();
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

    /** {@code expires_in} of the tokens issued from now on; null leaves the field out. */
    void tokenLifetime(Integer seconds) {
        this.tokenLifetime = seconds;
    }

    /** How the token endpoint answers from now on. */
    void tokenEndpoint(TokenEndpoint behaviour) {
        this.tokenEndpoint = behaviour;
    }

    /** Every token issued so far is refused from now on (revoked), as if its signing key rotated. */
    void revokeTokens() {
        scopesByToken.clear();
    }

    /** While true the registry refuses every token, fresh ones too (a realm and registry that disagree). */
    void refuseEveryToken(boolean refuse) {
        this.refuseEveryToken = refuse;
    }

    /** Back to issuing 300-second tokens that the registry accepts; the counts stay. */
    void resetTokens() {
        tokenLifetime = DEFAULT_LIFETIME_SECONDS;
        tokenEndpoint = TokenEndpoint.ISSUE;
        refuseEveryToken = false;
        timers.forEach(vertx::cancelTimer);
        timers.clear();
    }

    /** Requests that reached the token endpoint, whatever it answered. */
    long tokenRequests() {
        return frontRequests.count("GET", "/token");
    }

    /** Requests for {@code /v2/<repository>/...} the registry answered 401 (a token missing, expired or refused). */
    synchronized int challengesFor(String repository) {
        return challengesByRepository.getOrDefault(repository, 0);
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
        if (refuseEveryToken || !authorized(in.getHeader("Authorization"), name)) {
            if (name != null) {
                synchronized (this) {
                    challengesByRepository.merge(name, 1, Integer::sum);
                }
            }
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
        switch (tokenEndpoint) {
            case FAIL_500 -> {
                in.response().setStatusCode(500).putHeader("Content-Type", "text/html")
                        .end("<html><body>500 Internal Server Error</body></html>");
                return;
            }
            case STALL -> {
                return; // the connection stays open, unanswered, until the client gives up
            }
            case TRICKLE -> {
                trickle(in);
                return;
            }
            case ISSUE -> {
                // below
            }
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
        JsonObject document = new JsonObject().put("token", token).put("access_token", token)
                .put("issued_at", Instant.now().toString());
        Integer lifetime = tokenLifetime;
        if (lifetime != null) {
            document.put("expires_in", lifetime);
        }
        in.response().putHeader("Content-Type", "application/json").end(document.encode());
    }

    /** A token document that never ends, one byte every 500 ms, until the client closes the connection. */
    private void trickle(HttpServerRequest in) {
        in.response().setChunked(true).putHeader("Content-Type", "application/json");
        in.response().write("{\"token\":\"");
        long timer = vertx.setPeriodic(500, id -> {
            if (in.response().closed()) {
                vertx.cancelTimer(id);
                timers.remove(id);
            } else {
                in.response().write("x");
            }
        });
        timers.add(timer);
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
