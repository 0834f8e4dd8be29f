package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a node's {@code /} as the distributor sees it ({@code docker_cache_node_root}):
 * {@code etc/docker}, {@code etc/containerd}, {@code var/run}. Under /tmp with a short name, since
 * dockerd's and containerd's unix sockets live below it.
 */
final class NodeRoot implements AutoCloseable {

    private final Path root;

    private NodeRoot(Path root) {
        this.root = root;
    }

    static NodeRoot create() {
        try {
            Path root = Files.createTempDirectory("dc-node-");
            Files.createDirectories(root.resolve("var/run"));
            return new NodeRoot(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a node root under /tmp", e);
        }
    }

    Path path() {
        return root;
    }

    Path resolve(String relative) {
        return root.resolve(relative);
    }

    Path daemonJson() {
        return root.resolve("etc/docker/daemon.json");
    }

    Path dockerSocket() {
        return root.resolve("var/run/docker.sock");
    }

    Path dockerPidFile() {
        return root.resolve("var/run/docker.pid");
    }

    @Override
    public void close() {
        WorkDir.deleteTree(root);
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
