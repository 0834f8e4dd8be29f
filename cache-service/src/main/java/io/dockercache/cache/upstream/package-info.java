/**
 * The upstream registry client: Vert.x HTTP client, Bearer/Basic challenges with per-scope token
 * cache, realm checks, redirects without leaking credentials, timeouts.
 */
package io.dockercache.cache.upstream;
