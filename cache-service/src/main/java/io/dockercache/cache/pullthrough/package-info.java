/**
 * The pull-through rules (DESIGN.md §3): what is served from storage, what is fetched from the
 * upstream, verification before commit, one download per digest, tag freshness and
 * stale-if-error. Uses {@code storage} and {@code upstream}; knows nothing about routes.
 */
package io.dockercache.cache.pullthrough;
