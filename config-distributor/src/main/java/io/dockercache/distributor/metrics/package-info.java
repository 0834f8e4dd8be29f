/**
 * Metrics plumbing beside the reconcile meters of {@code reconcile.DistributorMetrics}: the
 * filter that keeps {@code /q/metrics} clean for {@code promtool check metrics}, and the time of
 * the last successful reconcile. Uses Micrometer only.
 */
package io.dockercache.distributor.metrics;
