/**
 * Which upstream registry a request is for (DESIGN.md §3b, closed world): containerd's
 * {@code ?ns=<host>}, else a first path component naming a configured registry, else the default
 * upstream; and the repository's name in storage, which says the same ever after. Only URLs of the
 * configuration are ever dialled.
 */
package io.dockercache.cache.routing;
