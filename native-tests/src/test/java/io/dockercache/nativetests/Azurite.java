package io.dockercache.nativetests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Azurite's blob service (npm {@code azurite}, installed under {@code .tools/azurite} by
 * {@code scripts/install-test-prereqs.sh}) on a free 127.0.0.1 port. It can be stopped and started
 * again on the same port and data directory, so a cache sees its storage go away and come back.
 */
final class Azurite implements AutoCloseable {

    static final String ACCOUNT = "devstoreaccount1";
    /** Azurite's documented development key, the same on every installation. */
    static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Path dir = WorkDir.create("azurite");
    private final int port = FreePort.next();
    private ChildProcess process;

    private Azurite() {
    }

    static Azurite start() {
        Azurite azurite = new Azurite();
        azurite.launch();
        return azurite;
    }

    /** The endpoint for {@code docker_cache_azure_endpoint}. */
    String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    int port() {
        return port;
    }

    /** The cache's environment for the azure backend on this Azurite, in {@code container}. */
    Map<String, String> cacheEnv(String container, String endpoint) {
        return Map.of(
                "DOCKER_CACHE_STORAGE_BACKEND", "azure",
                "DOCKER_CACHE_AZURE_ACCOUNT_NAME", ACCOUNT,
                "DOCKER_CACHE_AZURE_ACCOUNT_KEY", KEY,
                "DOCKER_CACHE_AZURE_CONTAINER_NAME", container,
                "DOCKER_CACHE_AZURE_ENDPOINT", endpoint);
    }

    /** Stops the process: its port refuses connections; the data stays. */
    void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** Starts again on the same port with the same data. */
    void restart() {
        stop();
        launch();
    }

    private void launch() {
        Path data = dir.resolve("data");
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new AssertionError("cannot create " + data, e);
        }
        process = ChildProcess.start("azurite :" + port, List.of(binary().toString(),
                "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                "--location", data.toString(), "--skipApiVersionCheck"), Map.of(), dir.resolve("azurite.log"));
        Await.until(Duration.ofSeconds(60), this::listening, () -> "azurite is not listening on " + port
                + (process.isAlive() ? "" : " (it exited)") + ":\n" + process.logTail());
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path binary() {
        String configured = System.getProperty("azurite.bin");
        Path bin = configured != null ? Paths.get(configured)
                : Paths.get("..", ".tools", "azurite", "node_modules", ".bin", "azurite-blob");
        if (!Files.isExecutable(bin)) {
            throw new AssertionError("Azurite is not installed at " + bin.toAbsolutePath().normalize()
                    + ": run `bash scripts/install-test-prereqs.sh` (it runs `npm install --prefix"
                    + " .tools/azurite azurite@3.35.0`) and run the tests again");
        }
        return bin;
    }

    @Override
    public void close() {
        stop();
        WorkDir.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "azurite " + endpoint();
    }
}
