package io.dockercache.cache.upstream;

import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One upstream registry as the configuration names it.
 *
 * @param name the name clients use for it ({@code ghcr.io}; {@code docker.io} for Docker Hub), also
 *     its {@code registry} metrics label
 * @param url where requests go, as configured
 * @param prefix what its repositories' names start with in storage ({@code "ghcr.io/"}; empty for
 *     the default upstream, whose repositories keep registry:2's layout)
 * @param basic its {@code Authorization: Basic} value, read on every use (the auth file changes)
 */
public record UpstreamTarget(String name, URI url, String prefix, Supplier<Optional<String>> basic) {}
