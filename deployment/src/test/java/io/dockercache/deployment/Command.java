package io.dockercache.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short command run to completion, its standard output and error kept apart. */
record Command(List<String> command, int exitCode, String stdout, String stderr) {

  private static final long TIMEOUT_SECONDS = 120;

  static Command run(List<String> command) {
    return run(command, Path.of("/dev/null"));
  }

  /** Runs {@code command} with {@code stdin} as its standard input. */
  static Command run(List<String> command, Path stdin) {
    try {
      Path out = Files.createTempFile("cmd", ".out");
      Path err = Files.createTempFile("cmd", ".err");
      try {
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
            .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
            .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Command(command, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** This command's output, or an assertion failure naming it and what it printed. */
  String requireSuccess() {
    if (exitCode != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ":\n" + stderr + stdout);
    }
    return stdout;
  }
}
