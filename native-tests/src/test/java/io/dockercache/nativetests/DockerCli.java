package io.dockercache.nativetests;

import java.time.Duration;

/**
 * The docker client talking to one test-owned dockerd over its socket: the calls that
 * {@link Dockerd} and {@link NodeDockerd} share, with the daemon's log in every failure.
 */
final class DockerCli {

    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(5);

    private final String host;
    private final ChildProcess daemon;

    DockerCli(String host, ChildProcess daemon) {
        this.host = host;
        this.daemon = daemon;
    }

    /** {@code docker -H <host> args...}, whatever its exit code. */
    Command.Result run(Duration timeout, Object... args) {
        Object[] command = new Object[args.length + 3];
        command[0] = Tools.docker();
        command[1] = "-H";
        command[2] = host;
        System.arraycopy(args, 0, command, 3, args.length);
        return Command.tryRun(timeout, command);
    }

    /** {@code docker pull ref}; fails with docker's output and the daemon's log when the pull fails. */
    void pull(String ref) {
        Command.Result result = run(PULL_TIMEOUT, "pull", ref);
        if (result.exitCode() != 0) {
            throw new AssertionError("docker pull " + ref + " failed:\n" + result.tail()
                    + "\n--- dockerd log ---\n" + daemon.logTail());
        }
    }

    /** The local image ID ({@code sha256:...}), which for a pulled image is its config digest. */
    String imageId(String ref) {
        return run(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}", ref)
                .requireSuccess().stdout().trim();
    }

    /** {@code RegistryConfig.Mirrors} of {@code docker info}, as JSON. */
    String registryMirrors() {
        return run(Duration.ofSeconds(30), "info", "--format", "{{json .RegistryConfig.Mirrors}}")
                .requireSuccess().stdout().trim();
    }

    /** Waits until the daemon answers; fails with its log when it exits or never does. */
    void awaitReady() {
        Await.until(Duration.ofSeconds(60), () -> {
            if (!daemon.isAlive()) {
                throw new AssertionError("dockerd exited at start:\n" + daemon.logTail());
            }
            return run(Duration.ofSeconds(10), "version").exitCode() == 0;
        }, () -> "dockerd is not ready:\n" + daemon.logTail());
    }
}
