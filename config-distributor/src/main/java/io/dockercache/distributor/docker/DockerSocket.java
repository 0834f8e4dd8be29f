package io.dockercache.distributor.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Docker Engine API on its unix socket, just enough for {@code GET /info}: one HTTP/1.0
 * request per connection, so the answer ends when the daemon closes it (no chunking).
 */
final class DockerSocket {

  private static final int MAX_RESPONSE = 4 * 1024 * 1024;

  private final Path socket;

  DockerSocket(Path socket) {
    this.socket = socket;
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
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer request = StandardCharsets.US_ASCII.encode(
          "GET " + path + " HTTP/1.0\r\nHost: docker\r\nAccept: application/json\r\n\r\n");
      while (request.hasRemaining()) {
        channel.write(request);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(16384);
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        out.write(buffer.array(), 0, buffer.limit());
        buffer.clear();
        if (out.size() > MAX_RESPONSE) {
          throw new IOException("GET " + path + " on " + socket + ": answer larger than " + MAX_RESPONSE);
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
