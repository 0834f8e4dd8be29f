/**
 * The upstream registry client: Vert.x HTTP client, Bearer/Basic challenges with per-scope token
 * cache, realm checks (public suffix list), redirects checked by {@link RedirectPolicy} and
 * followed without leaking credentials, timeouts (the connect timeout also bounds every wait for
 * a pooled connection), a pool of its own for blob bodies, and the 429 back-off ({@link Backoff},
 * {@link RetryAfter}) that fails held-back requests with {@link RateLimitedException}. The only
 * package that imports {@code com.google.common.*} (Guava, for the public suffix list and IP
 * literals).
 */
package io.dockercache.cache.upstream;
