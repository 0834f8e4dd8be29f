/**
 * Configuration: the seed's keys (from common) plus the distributor's own {@code docker_cache_*}
 * keys, checked once at start. Uses SmallRye Config only.
 */
package io.dockercache.distributor.config;
