/**
 * Values and grammars every docker-cache program shares: digests, repository names, tags and
 * references (OCI distribution spec), the registry error codes and their exception, manifest
 * media types, and small tokenizers for the {@code WWW-Authenticate} and {@code Range} headers.
 *
 * <p>Plain Java only: this package may use {@code java.base} and nothing else (no Quarkus, no
 * CDI, no third-party libraries), so any module can depend on it. Parsers are hand-written
 * scanners with a length bound checked first, because their input comes from the network.
 */
package io.dockercache.common;
