/**
 * The node as the distributor sees it: paths below the node root, which runtimes are present,
 * atomic file replacement, and the result type of a configuration step. Plain Java.
 */
package io.dockercache.distributor.node;
