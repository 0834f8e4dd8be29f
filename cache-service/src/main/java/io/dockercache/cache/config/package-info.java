/**
 * Configuration: the OpenPAI seed's flat {@code docker_cache_*} keys, read from the environment,
 * system properties and the seed-format YAML file. Uses SmallRye Config only.
 */
package io.dockercache.cache.config;
