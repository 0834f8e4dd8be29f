/**
 * The storage lifecycle (DESIGN.md §3a): when each blob and manifest was last used
 * ({@link io.dockercache.cache.lifecycle.AccessLog}, exact in memory, persisted coarsely by
 * {@link io.dockercache.cache.lifecycle.AccessRecords}), a scan of the storage tree into an index
 * of images, the policy that picks whole unused images to remove (cap, free space, idle), and the
 * loop that runs it. Uses {@code storage} and {@code metrics}; knows nothing about HTTP or the
 * upstream, and the pull-through services only tell it what they used.
 */
package io.dockercache.cache.lifecycle;
