package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A CA for one registry in dockerd's fixed {@code /etc/docker/certs.d/<host:port>/ca.crt} (no flag
 * moves it). On close it removes exactly what it created: the file and the directories that did not
 * exist before, nothing else.
 */
final class DockerCertsDir implements AutoCloseable {

    private static final Path CERTS_D = Paths.get("/etc/docker/certs.d");

    private final Deque<Path> created = new ArrayDeque<>();

    private DockerCertsDir() {
    }

    static DockerCertsDir install(String hostPort, Path caCertificate) {
        DockerCertsDir certs = new DockerCertsDir();
        Path dir = CERTS_D.resolve(hostPort);
        try {
            for (Path p : new Path[] {CERTS_D.getParent(), CERTS_D, dir}) {
                if (!Files.exists(p)) {
                    Files.createDirectory(p);
                    certs.created.push(p);
                }
            }
            Path target = dir.resolve("ca.crt");
            if (Files.exists(target)) {
                throw new AssertionError(target + " already exists: not overwriting what this test did not write");
            }
            Files.copy(caCertificate, target);
            certs.created.push(target);
        } catch (IOException e) {
            certs.close();
            throw new UncheckedIOException("cannot install the test CA under " + dir
                    + " (the tests run as root, as dockerd does)", e);
        }
        return certs;
    }

    @Override
    public void close() {
        while (!created.isEmpty()) {
            Path p = created.pop();
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + p + " created by the test", e);
            }
        }
    }
}
