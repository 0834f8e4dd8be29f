package io.dockercache.nativetests;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A program run to completion with a timeout; what it printed kept for the failure message. */
final class Command {

    private Command() {
    }

    /** What a finished command printed, stdout and stderr apart. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(
                        "`" + String.join(" ", command) + "` exited with " + exitCode + ":\n" + tail());
            }
            return this;
        }

        /** The end of stdout and stderr, for a failure message. */
        String tail() {
            String all = stdout + (stderr.isEmpty() ? "" : "\n[stderr]\n" + stderr);
            return all.length() <= 8000 ? all : "..." + all.substring(all.length() - 8000);
        }
    }

    /** Runs the command and fails unless it exits 0. */
    static Result run(Duration timeout, Object... command) {
        return tryRun(timeout, command).requireSuccess();
    }

    /** Runs the command, whatever its exit code. */
    static Result tryRun(Duration timeout, Object... command) {
        List<String> argv = new ArrayList<>();
        for (Object part : command) {
            argv.add(part.toString());
        }
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile(WorkDir.base(), "cmd-", ".out");
            stderr = Files.createTempFile(WorkDir.base(), "cmd-", ".err");
            Process process = new ProcessBuilder(argv)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("`" + String.join(" ", argv) + "` did not finish within " + timeout + ":\n"
                        + Files.readString(stdout) + "\n[stderr]\n" + Files.readString(stderr));
            }
            return new Result(argv, process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + argv, e);
        } finally {
            for (Path file : new Path[] {stdout, stderr}) {
                if (file != null) {
                    file.toFile().delete();
                }
            }
        }
    }
}
