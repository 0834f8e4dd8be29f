/**
 * docker: the daemon.json merge (Jackson tree, every other value preserved), its atomic write and
 * backup, SIGHUP to dockerd and verification through {@code GET /info} on the docker socket.
 * Uses {@code node} and {@link io.dockercache.distributor.reconcile.Mirrors}.
 */
package io.dockercache.distributor.docker;
