/**
 * containerd: our {@code certs.d/docker.io/hosts.toml}, the admin's previous one kept and put back.
 * Uses {@code node} and {@link io.dockercache.distributor.reconcile.Mirrors}.
 */
package io.dockercache.distributor.containerd;
