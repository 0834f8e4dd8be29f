/**
 * containerd: our {@code certs.d/<host>/hosts.toml} for docker.io and every host of {@code
 * docker_cache_registries}, the admin's previous ones kept and put back. Uses {@code node} and
 * {@link io.dockercache.distributor.reconcile.Mirrors}.
 */
package io.dockercache.distributor.containerd;
