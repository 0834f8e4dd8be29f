/**
 * The Azure Blob Storage backend: the distribution registry's layout as blob names in one
 * container, staged-block uploads committed with {@code If-None-Match: *}, ranged reads in bounded
 * chunks, explicit per-try timeouts and bounded retries. The only package that imports
 * {@code com.azure.*}.
 */
package io.dockercache.cache.storage.azure;
