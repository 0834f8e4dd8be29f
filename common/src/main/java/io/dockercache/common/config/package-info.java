/**
 * The seed's configuration, shared by both programs: the key contract ({@link
 * io.dockercache.common.config.DockerCacheConfig}), the seed-format YAML file source, and the
 * checks that stop a program at start. Uses SmallRye Config (a library), not Quarkus or CDI.
 */
package io.dockercache.common.config;
