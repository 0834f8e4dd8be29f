/** Health checks on the management interface: one bean per dependency that decides readiness. */
package io.dockercache.cache.health;
