/**
 * The cache-service's meters: one class owns them all (bounded labels only), read by Prometheus
 * at {@code /q/metrics} on the management port.
 */
package io.dockercache.cache.metrics;
