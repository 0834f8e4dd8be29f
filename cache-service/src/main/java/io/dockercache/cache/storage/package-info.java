/**
 * The storage SPI ({@link io.dockercache.cache.storage.Storage}) and the distribution registry's
 * on-disk layout. Backends live in sub-packages; nothing here knows about HTTP.
 */
package io.dockercache.cache.storage;
