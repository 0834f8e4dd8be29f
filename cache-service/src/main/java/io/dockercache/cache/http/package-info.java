/**
 * The Registry HTTP API v2 routes: request parsing and validation, response writing (zero-copy
 * files, followed downloads, the JSON error envelope). The only package that knows about routes.
 */
package io.dockercache.cache.http;
