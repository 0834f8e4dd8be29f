/** The filesystem storage backend: plain files in the distribution registry's layout. */
package io.dockercache.cache.storage.filesystem;
