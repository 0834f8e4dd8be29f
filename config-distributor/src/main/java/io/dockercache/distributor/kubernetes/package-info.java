/**
 * Kubernetes: mirror discovery (the cache Service's NodePort on the nodes its EndpointSlices show
 * running a ready cache pod), per-node reporting (Node annotations, Events) and the watch of the
 * Service and its EndpointSlices. The only package that uses Fabric8.
 */
package io.dockercache.distributor.kubernetes;
