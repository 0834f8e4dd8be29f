package io.dockercache.cache.http;

import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * Sends byte ranges of a file that is still being written as parts of a response body, with the
 * kernel's {@code sendfile} (a netty file region), and leaves the response open for more:
 * Vert.x's public {@code sendFile} ends the response, and a running fill must hold back its last
 * byte until the digest matches. So the regions go through the connection's own write queue, in
 * order with what Vert.x writes (the head before, the end after), which is Vert.x's internal API:
 * {@link ConnectionBase#writeToChannel}, the same call its {@code sendFile} makes.
 *
 * <p>Only for a plain-text HTTP/1.x connection without compression or traffic shaping (the cases
 * where Vert.x's own {@code sendFile} falls back to copying); the others get {@link Optional#empty()}
 * and the bytes go through {@link HttpServerResponse#write}.
 */
final class ZeroCopy {

  private final ConnectionBase connection;
  private final HttpServerResponse response;
  private long sent;

  private ZeroCopy(ConnectionBase connection, HttpServerResponse response) {
    this.connection = connection;
    this.response = response;
  }

  /** A sender for this request's response, when its connection can carry file regions. */
  static Optional<ZeroCopy> of(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    if (request.isSSL() || request.version() == HttpVersion.HTTP_2
        || !(connection instanceof ConnectionBase base) || base.isTrafficShaped()
        || base.channelHandlerContext().pipeline().get(HttpContentCompressor.class) != null) {
      return Optional.empty();
    }
    return Optional.of(new ZeroCopy(base, request.response()));
  }

  /**
   * Queues bytes [position, position + count) of {@code file} after everything written so far
   * (the head first, if it is not out yet); completes once the kernel has taken all of them. The
   * file stays open: it is the caller's.
   */
  Future<Void> send(FileChannel file, long position, long count) {
    if (!response.headWritten()) {
      response.writeHead();
    }
    Promise<Void> done = Promise.promise();
    ChannelPromise written = connection.channelHandlerContext().newPromise();
    written.addListener(f -> {
      if (f.isSuccess()) {
        sent += count;
        done.complete();
      } else {
        done.fail(f.cause());
      }
    });
    connection.writeToChannel(new Region(file, position, count), written);
    return done.future();
  }

  /**
   * Bytes {@link #send} got out (the kernel took them), which {@link HttpServerResponse#bytesWritten()}
   * does not count.
   */
  long sent() {
    return sent;
  }

  /** A region of a file the caller keeps open: netty's releases it by closing the channel. */
  private static final class Region extends DefaultFileRegion {
    Region(FileChannel file, long position, long count) {
      super(file, position, count);
    }

    @Override
    protected void deallocate() {
      // the channel is the caller's, and serves the next region
    }
  }
}
