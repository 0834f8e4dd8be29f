/**
 * Hot manifests and tags in memory (issue 11): a byte-bounded cache of manifest bytes by
 * repository and digest and of the digest each tag's stored link names, so a warm manifest
 * request touches no storage. Holds only what storage held (or was just given) and drops it when
 * the storage lifecycle removes it. Plain Java on {@code common} types; the pull-through service
 * decides what goes in and when a tag is fresh, the {@code lifecycle} package tells it what left
 * storage.
 */
package io.dockercache.cache.memory;
