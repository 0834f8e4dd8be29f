package io.dockercache.distributor.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Docker Engine API on its unix socket, just enough for {@code GET /info}: one HTTP/1.0
 * request per connection, so the answer ends when the daemon closes it (no chunking). Every call
 * has a deadline: a wedged dockerd accepts and never answers, and the reconcile must go on.
 */
final class DockerSocket {

  private static final int MAX_RESPONSE = 4 * 1024 * 1024;

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Path socket;
  private final Duration timeout;

  DockerSocket(Path socket) {
    this(socket, TIMEOUT);
  }

  DockerSocket(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /** {@code RegistryConfig.Mirrors} of {@code GET /info}: the mirrors dockerd is using now. */
  List<String> activeMirrors() throws IOException {
    JsonNode mirrors = info().path("RegistryConfig").path("Mirrors");
    List<String> out = new ArrayList<>();
    mirrors.forEach(m -> out.add(DaemonJson.stripSlash(m.asText())));
    return out;
  }

  JsonNode info() throws IOException {
    String response = get("/info");
    int headerEnd = response.indexOf("\r\n\r\n");
    if (!response.startsWith("HTTP/1.") || headerEnd < 0) {
      throw new IOException("GET /info on " + socket + ": not an HTTP answer");
    }
    String status = response.substring(0, response.indexOf("\r\n"));
    if (!status.contains(" 200 ")) {
      throw new IOException("GET /info on " + socket + ": " + status);
    }
    return DaemonJson.MAPPER.readTree(response.substring(headerEnd + 4));
  }

  private String get(String path) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      // A unix socket connects at once or fails; only the exchange after it can stall.
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.configureBlocking(false);
      ByteBuffer request = StandardCharsets.US_ASCII.encode(
          "GET " + path + " HTTP/1.0\r\nHost: docker\r\nAccept: application/json\r\n\r\n");
      while (request.hasRemaining()) {
        await(channel, selector, SelectionKey.OP_WRITE, deadline, path);
        channel.write(request);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(16384);
      while (true) {
        await(channel, selector, SelectionKey.OP_READ, deadline, path);
        if (channel.read(buffer) < 0) {
          return out.toString(StandardCharsets.UTF_8);
        }
        buffer.flip();
        out.write(buffer.array(), 0, buffer.limit());
        buffer.clear();
        if (out.size() > MAX_RESPONSE) {
          throw new IOException("GET " + path + " on " + socket + ": answer larger than " + MAX_RESPONSE);
        }
      }
    }
  }

  /** Waits until the channel is ready for {@code op}, or throws once the deadline has passed. */
  private void await(SocketChannel channel, Selector selector, int op, long deadline, String path)
      throws IOException {
    SelectionKey key = channel.register(selector, op);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException("GET " + path + " on " + socket + ": dockerd did not answer within " + timeout);
      }
      if (selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))) > 0
          && selector.selectedKeys().remove(key)) {
        return;
      }
    }
  }
}
