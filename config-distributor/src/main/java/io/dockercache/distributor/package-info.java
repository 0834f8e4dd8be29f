/** config-distributor: the node agent's entry point and modes. */
package io.dockercache.distributor;
