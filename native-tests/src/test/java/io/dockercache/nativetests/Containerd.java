package io.dockercache.nativetests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real containerd (root) with its own root, state and socket, and {@code ctr} pulling through
 * {@code --hosts-dir}, whose {@code docker.io/hosts.toml} names the cache as a pull/resolve mirror.
 */
final class Containerd implements AutoCloseable {

    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(5);

    private final Path dir;
    private final Path socketDir;
    private final Path hostsDir;
    private final ChildProcess process;

    private Containerd(Path dir, Path socketDir, ChildProcess process) {
        this.dir = dir;
        this.socketDir = socketDir;
        this.hostsDir = dir.resolve("hosts");
        this.process = process;
    }

    /**
     * Starts containerd; pulls of docker.io go to {@code mirrorUrl}. The fallback {@code server}
     * is a closed local port, so a pull that bypassed the mirror fails instead of going elsewhere.
     */
    static Containerd start(String mirrorUrl) {
        Path dir = WorkDir.create("containerd");
        Path socketDir = WorkDir.forSockets(dir);
        Path socket = socketDir.resolve("containerd.sock");
        String config = "version = 2\n"
                + "root = \"" + dir.resolve("root") + "\"\n"
                + "state = \"" + socketDir.resolve("state") + "\"\n"
                + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                + "[grpc]\n  address = \"" + socket + "\"\n"
                + "[ttrpc]\n  address = \"" + socket + ".ttrpc\"\n"
                + "[debug]\n  address = \"" + socket + ".debug\"\n";
        String hosts = "server = \"http://127.0.0.1:" + FreePort.next() + "\"\n\n"
                + "[host.\"" + mirrorUrl + "\"]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n"
                + "  skip_verify = true\n";
        try {
            Files.writeString(dir.resolve("config.toml"), config);
            Files.createDirectories(dir.resolve("hosts/docker.io"));
            Files.writeString(dir.resolve("hosts/docker.io/hosts.toml"), hosts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess process = ChildProcess.start("containerd", List.of(
                Tools.containerd().toString(), "--config", dir.resolve("config.toml").toString()),
                Map.of(), dir.resolve("containerd.log"));
        Containerd containerd = new Containerd(dir, socketDir, process);
        try {
            containerd.awaitReady();
        } catch (RuntimeException | AssertionError e) {
            containerd.close();
            throw e;
        }
        return containerd;
    }

    /** {@code ctr images pull --hosts-dir DIR ref}, e.g. {@code docker.io/library/big:1}. */
    void pull(String ref, String... options) {
        List<Object> args = new ArrayList<>(List.of("images", "pull", "--hosts-dir", hostsDir));
        args.addAll(List.of(options));
        args.add(ref);
        Command.Result result = ctr(PULL_TIMEOUT, args.toArray());
        if (result.exitCode() != 0) {
            throw new AssertionError("ctr images pull " + ref + " failed:\n" + result.tail()
                    + "\n--- containerd log ---\n" + process.logTail());
        }
    }

    /** The digests in containerd's content store. */
    List<String> contentDigests() {
        List<String> digests = new ArrayList<>();
        for (String line : ctr(Duration.ofSeconds(30), "content", "ls", "-q").requireSuccess().stdout().split("\n")) {
            if (line.startsWith("sha256:")) {
                digests.add(line.trim());
            }
        }
        return digests;
    }

    /** SHA-256 of {@code ctr content get digest}, streamed, not buffered. */
    String contentSha256(String digest) {
        ProcessBuilder builder = new ProcessBuilder(
                Tools.ctr().toString(), "--address", socket(), "content", "get", digest)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process process = builder.start();
            String sha256;
            try (InputStream out = process.getInputStream()) {
                sha256 = Sha256.of(out);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("ctr content get " + digest + " failed (exit "
                        + (process.isAlive() ? "none" : process.exitValue()) + ")");
            }
            return sha256;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    Command.Result ctr(Duration timeout, Object... args) {
        Object[] command = new Object[args.length + 3];
        command[0] = Tools.ctr();
        command[1] = "--address";
        command[2] = socket();
        System.arraycopy(args, 0, command, 3, args.length);
        return Command.tryRun(timeout, command);
    }

    String logTail() {
        return process.logTail();
    }

    private String socket() {
        return socketDir.resolve("containerd.sock").toString();
    }

    private void awaitReady() {
        Await.until(Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("containerd exited at start:\n" + process.logTail());
            }
            return ctr(Duration.ofSeconds(10), "version").exitCode() == 0;
        }, () -> "containerd is not ready:\n" + process.logTail());
    }

    @Override
    public void close() {
        process.close();
        WorkDir.deleteTree(dir.resolve("root"));
        WorkDir.deleteTree(socketDir.resolve("state"));
        if (!socketDir.equals(dir)) {
            WorkDir.deleteTree(socketDir);
        }
    }
}
