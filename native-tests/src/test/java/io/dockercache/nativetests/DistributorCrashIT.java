package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Matrix row N3: the packaged node agent killed between writing a temp file and renaming it, a
 * full disk while it writes the temp file, and a daemon.json that is a single-file bind mount
 * (rename fails with EBUSY). daemon.json is always the old bytes or the new, never partial; the
 * next start sweeps what the crash left and converges; a failure is loud, never a write in place.
 *
 * <p>The kill is exact, not a race: {@code strace} delivers SIGKILL as the agent enters the
 * {@code rename} onto one chosen file, so the temp file is written and synced and the rename
 * never runs. No dockerd runs: the agent only writes the file (it reads it at its next start).
 */
class DistributorCrashIT {

    private static final String MIRROR = "127.0.0.1:30500";
    private static final String OTHER_MIRROR = "127.0.0.1:30501";
    private static final String ORIGINAL = """
            {
              "log-level": "warn",
              "labels": ["team=caché-✓"],
              "log-driver": "json-file"
            }
            """;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static byte[] applied;
    private static byte[] cleanedUp;

    /** What a run that nothing interrupts writes, apply and cleanup, from the same original. */
    @BeforeAll
    static void referenceRun() {
        requireStrace();
        try (NodeRoot node = node(ORIGINAL)) {
            DistributorProcess distributor = DistributorProcess.of(node.path(), MIRROR);
            DistributorProcess.Result once = distributor.once();
            assertEquals(0, once.exitCode(), once::toString);
            applied = read(node.daemonJson());
            assertFalse(new String(applied, StandardCharsets.UTF_8).equals(ORIGINAL), "the apply changed daemon.json");
            DistributorProcess.Result cleanup = distributor.cleanup();
            assertEquals(0, cleanup.exitCode(), cleanup::toString);
            cleanedUp = read(node.daemonJson());
        }
    }

    /**
     * Each rename of one apply, in the order the agent does them (the only renames the program makes):
     * record our entries, back up the admin's file, replace daemon.json, then shrink the record to
     * what daemon.json now holds. The temp file left behind shows which rename the kill stopped.
     */
    static Stream<Arguments> killPoints() {
        return Stream.of(
                Arguments.of("daemon.json.docker-cache", 1, false),
                Arguments.of("daemon.json.docker-cache-backup", 2, false),
                Arguments.of("daemon.json", 3, false),
                Arguments.of("daemon.json.docker-cache", 4, true));
    }

    @ParameterizedTest(name = "kill -9 at rename #{1}, onto {0}")
    @MethodSource("killPoints")
    void killedBetweenTempWriteAndRename_daemonJsonOldOrNew_nextStartSweepsAndConverges(String file, int nth,
            boolean daemonJsonWrittenBefore) {
        try (NodeRoot node = node(ORIGINAL)) {
            Path etc = node.daemonJson().getParent();
            DistributorProcess distributor = DistributorProcess.of(node.path(), MIRROR);

            DistributorProcess.Result killed = distributor.onceUnder(killAtRename(nth));

            assertEquals(128 + 9, killed.exitCode(), () -> "not killed at the rename onto " + file + ": " + killed);
            assertTrue(temporaries(etc).stream().anyMatch(t -> t.getFileName().toString().startsWith("." + file + ".")),
                    () -> "the kill came before the rename onto " + file + ", so its written temp file is left: "
                            + list(etc));
            assertArrayEquals(daemonJsonWrittenBefore ? applied : ORIGINAL.getBytes(StandardCharsets.UTF_8),
                    read(node.daemonJson()), "daemon.json is whole: the old bytes or the new, never partial");

            DistributorProcess.Result next = distributor.once();

            assertEquals(0, next.exitCode(), next::toString);
            assertArrayEquals(applied, read(node.daemonJson()), "the next start converges to what an"
                    + " uninterrupted run writes");
            assertEquals(List.of(), temporaries(etc), "the next start sweeps the temp files");
            assertArrayEquals(ORIGINAL.getBytes(StandardCharsets.UTF_8), read(etc.resolve("daemon.json.docker-cache-backup")),
                    "the backup holds the admin's original");

            DistributorProcess.Result cleanup = distributor.cleanup();

            assertEquals(0, cleanup.exitCode(), cleanup::toString);
            assertArrayEquals(cleanedUp, read(node.daemonJson()), "cleanup after the crash removes every entry"
                    + " of ours, as after an uninterrupted run");
            assertEquals(List.of(node.daemonJson()), list(etc), "no record, backup or temp file left");
        }
    }

    @Test
    void diskFullWhileWritingTheTempFile_reportsFailed_daemonJsonUnchanged_noTempLeft() {
        // A daemon.json of several pages, so that its temp file cannot fit where the record's does.
        String large = "{\n  \"labels\": [" + "\"x\",".repeat(2000) + "\"end\"]\n}\n";
        try (NodeRoot node = node(large)) {
            Path etc = node.daemonJson().getParent();
            Path moved = node.resolve("daemon.json.admin");
            move(node.daemonJson(), moved);
            mount(List.of("-t", "tmpfs", "-o", "size=128k", "tmpfs"), etc);
            try {
                move(moved, node.daemonJson());
                DistributorProcess.Result first = DistributorProcess.of(node.path(), MIRROR).once();
                assertEquals(0, first.exitCode(), first::toString);
                byte[] before = read(node.daemonJson());
                Path filler = etc.resolve("filler");
                fill(filler, usable(etc) - 8192); // two pages left: the record's temp fits, daemon.json's not

                DistributorProcess.Result full = DistributorProcess.of(node.path(), OTHER_MIRROR).once();

                assertEquals(1, full.exitCode(), full::toString);
                assertTrue(full.output().contains("No space left on device") && full.output().contains("failed"),
                        () -> "a full disk must be reported as a failure: " + full);
                assertArrayEquals(before, read(node.daemonJson()), "daemon.json unchanged by the failed write");
                assertEquals(List.of(), temporaries(etc), "no temp file left by the failed write");

                delete(filler);
                DistributorProcess.Result roomy = DistributorProcess.of(node.path(), OTHER_MIRROR).once();
                assertEquals(0, roomy.exitCode(), roomy::toString);
                assertTrue(new String(read(node.daemonJson()), StandardCharsets.UTF_8).contains(OTHER_MIRROR),
                        "with room again the next run converges");
                assertFalse(new String(read(node.daemonJson()), StandardCharsets.UTF_8).contains(MIRROR + "\""),
                        "the replaced mirror is gone");
            } finally {
                Command.tryRun(COMMAND_TIMEOUT, "umount", "-l", etc);
            }
        }
    }

    @Test
    void daemonJsonIsASingleFileBindMount_renameBusy_loudFailure_neverWrittenInPlace() {
        try (NodeRoot node = node(ORIGINAL)) {
            Path etc = node.daemonJson().getParent();
            Path admins = node.resolve("admins-daemon.json");
            write(admins, ORIGINAL);
            mount(List.of("--bind"), admins, node.daemonJson());
            try {
                DistributorProcess.Result busy = DistributorProcess.of(node.path(), MIRROR).once();

                assertEquals(1, busy.exitCode(), busy::toString);
                assertTrue(busy.output().contains("Device or resource busy") && busy.output().contains("failed"),
                        () -> "EBUSY on the rename must be a loud failure: " + busy);
                assertArrayEquals(ORIGINAL.getBytes(StandardCharsets.UTF_8), read(node.daemonJson()),
                        "the mounted daemon.json is not written in place");
                assertArrayEquals(ORIGINAL.getBytes(StandardCharsets.UTF_8), read(admins), "the mount's source");
                assertEquals(List.of(), temporaries(etc), "no temp file left");
            } finally {
                Command.tryRun(COMMAND_TIMEOUT, "umount", node.daemonJson());
            }
        }
    }

    /**
     * strace, SIGKILL on entering the program's {@code nth} rename(2) (what the JVM's atomic
     * {@code Files.move} calls): the kernel kills the process before the call runs, since a fatal
     * signal pending at syscall entry skips the call.
     */
    private static List<String> killAtRename(int nth) {
        return List.of("strace", "-f", "-qq", "-o", "/dev/null",
                "-e", "trace=rename", "-e", "inject=rename:signal=SIGKILL:when=" + nth, "--");
    }

    private static void requireStrace() {
        try {
            Command.run(COMMAND_TIMEOUT, "strace", "-V");
        } catch (UncheckedIOException | AssertionError e) {
            throw new AssertionError("this test kills the agent at a chosen syscall with strace (Debian package"
                    + " strace), which does not run here: " + e.getMessage(), e);
        }
    }

    private static NodeRoot node(String daemonJson) {
        NodeRoot node = NodeRoot.create();
        write(node.daemonJson(), daemonJson);
        return node;
    }

    /** The agent's temp files ({@code .daemon.json*.tmp}) in {@code etc}. */
    private static List<Path> temporaries(Path etc) {
        return list(etc).stream().filter(p -> p.getFileName().toString().startsWith(".daemon.json")
                && p.getFileName().toString().endsWith(".tmp")).toList();
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mount(List<String> options, Path... paths) {
        List<Object> command = new java.util.ArrayList<>(List.of("mount"));
        command.addAll(options);
        command.addAll(List.of(paths));
        Command.Result mounted = Command.tryRun(COMMAND_TIMEOUT, command.toArray());
        if (mounted.exitCode() != 0) {
            throw new AssertionError("this test needs root to mount (" + command + "): " + mounted.tail());
        }
    }

    private static long usable(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void fill(Path file, long bytes) {
        try {
            Files.write(file, new byte[(int) bytes]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
