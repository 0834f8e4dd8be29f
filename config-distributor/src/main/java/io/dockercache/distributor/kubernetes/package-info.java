/**
 * Kubernetes: mirror discovery (Service NodePort, control-plane InternalIP), per-node reporting
 * (Node annotations, Events) and the Service watch. The only package that uses Fabric8.
 */
package io.dockercache.distributor.kubernetes;
