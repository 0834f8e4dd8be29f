/**
 * The reconcile of DESIGN.md §4 and what drives it: the mirror value, one reconcile at a time,
 * the long-running loop, readiness and metrics. Uses every other package.
 */
package io.dockercache.distributor.reconcile;
