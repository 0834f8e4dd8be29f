package io.dockercache.cache.storage.azure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Azurite's blob service, the npm package the install script puts under {@code .tools/azurite},
 * on a free 127.0.0.1 port with its data in a temporary directory. A missing Azurite fails the
 * test with the install command; it is never skipped.
 */
final class AzuriteServer implements AutoCloseable {

  static final String ACCOUNT = "devstoreaccount1";
  /** Azurite's documented development key, the same on every installation. */
  static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private final Process process;
  private final int port;
  private final Path log;

  private AzuriteServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static AzuriteServer start(Path dir) throws IOException, InterruptedException {
    Path bin = binary();
    int port = freePort();
    Path data = Files.createDirectories(dir.resolve("azurite-data"));
    Path log = dir.resolve("azurite.log");
    Process p = new ProcessBuilder(List.of(bin.toString(), "--blobHost", "127.0.0.1",
        "--blobPort", Integer.toString(port), "--location", data.toString(), "--skipApiVersionCheck",
        "--silent"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    AzuriteServer server = new AzuriteServer(p, port, log);
    server.awaitListening();
    return server;
  }

  String endpoint() {
    return "http://127.0.0.1:" + port + "/" + ACCOUNT;
  }

  int port() {
    return port;
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("azurite exited at start: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    close();
    throw new IOException("azurite did not listen on " + port + " within 60 s: " + Files.readString(log));
  }

  static Path binary() {
    String configured = System.getProperty("azurite.bin");
    Path bin = configured != null ? Path.of(configured)
        : Path.of("..", ".tools", "azurite", "node_modules", ".bin", "azurite-blob");
    if (!Files.isExecutable(bin)) {
      throw new AssertionError("Azurite is not installed at " + bin.toAbsolutePath().normalize()
          + ": run `bash scripts/install-test-prereqs.sh` (it runs `npm install --prefix "
          + ".tools/azurite azurite@3.35.0`) and run the tests again");
    }
    return bin;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
