package io.dockercache.nativetests;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A long-running program started by a fixture, its output in a log file. Every live one is
 * destroyed when the test JVM exits, so an aborted run leaves nothing behind.
 */
final class ChildProcess implements AutoCloseable {

    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ChildProcess::close)));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            ChildProcess child = new ChildProcess(name, builder.start(), log);
            LIVE.add(child);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Tails of the logs of every running child, for a failed test's report. */
    static String liveLogTails() {
        StringBuilder out = new StringBuilder();
        for (ChildProcess child : LIVE) {
            out.append("----- ").append(child.name).append(" (").append(child.log).append(") -----\n")
                    .append(child.logTail()).append('\n');
        }
        return out.toString();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the program ended within {@code timeout}, else null (it is still running). */
    Integer awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** The last lines of the log, to put into a failure message. */
    String logTail() {
        int maxBytes = 6000;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - maxBytes);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGKILL at once, as a crash or the OOM killer would: no shutdown hook runs. */
    void kill() {
        LIVE.remove(this);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; also ends children the program left behind. */
    @Override
    public void close() {
        LIVE.remove(this);
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        for (ProcessHandle orphan : descendants) {
            if (orphan.isAlive()) {
                orphan.destroy();
                orphan.onExit().completeOnTimeout(orphan, 10, TimeUnit.SECONDS).join();
                orphan.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
