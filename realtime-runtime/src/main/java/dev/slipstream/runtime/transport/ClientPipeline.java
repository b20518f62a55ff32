package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.tls.ServerTls;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every client connection's pipeline, as it starts (HTTP; {@link WebSocketStage} shows the
 * WebSocket stage it may become):
 * <pre>
 * tls          SslHandler         only with TLS configured ({@link ServerTls}): the handshake must
 *                                 end within handshakeTimeout, which also bounds it below; a client
 *                                 that speaks plain HTTP is refused (closed, counted as a client error)
 * connection   ClientConnection   byte budget of everything sent, reads throttled, deadlines
 *                                 (a complete request within handshakeTimeout, or 408)
 * http         HttpServerCodec    request line at most 4,096 bytes (414), headers 8 KiB (431)
 * requests     HttpRequests       bodies at most 64 KiB (413); each complete request restarts the deadline
 * router       HttpRouter         the endpoints; upgrades to WebSocket, or opens an SSE stream;
 *                                 hands what the client's bytes made anything throw to ClientErrors
 * </pre>
 * As few handlers as that on purpose: a handler costs every connection its context, and memory
 * per connection is what a tenant with many clients pays for most.
 * A connection beyond what the process's file descriptors allow (less a reserve for the database
 * and files) is closed at once, counted in {@code slipstream_connections_refused_total}, before
 * the accept loop could spin on {@code EMFILE}.
 */
final class ClientPipeline extends ChannelInitializer<SocketChannel> {

  static final int MAX_REQUEST_LINE = 4096;
  static final int MAX_HEADER_BYTES = 8192;
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** File descriptors kept for everything but clients: database connections, spill files, jars. */
  private static final int RESERVED_DESCRIPTORS = 256;

  private final ConnectionLimits limits;
  private final ConnectionMetrics metrics;
  private final LimitMetrics limitMetrics;
  private final ConnectionWatch watch;
  private final ChannelHandler router;
  private final ClientErrors errors;
  private final AtomicInteger open;
  private final long maxConnections;
  private final ServerTls tls;

  ClientPipeline(ConnectionLimits limits, ConnectionMetrics metrics, LimitMetrics limitMetrics, ConnectionWatch watch,
      ChannelHandler router, ClientErrorLog errorLog, AtomicInteger open, ServerTls tls) {
    this.tls = tls;
    this.limits = limits;
    this.metrics = metrics;
    this.limitMetrics = limitMetrics;
    this.watch = watch;
    this.router = router;
    this.errors = new ClientErrors(metrics, errorLog);
    this.open = open;
    this.maxConnections = maxConnections();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      metrics.refused();
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    if (tls != null) {
      // In front of everything: the byte budget, the throttle and the deadlines see what the client
      // sends and receives, and ClientConnection's request deadline (from this moment) covers the
      // handshake too, so a client that never finishes it is closed like one that never sends a request.
      // SslHandler's own timeout is only the backstop, at twice that.
      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), limits.handshakeTimeout().multipliedBy(2)));
    }
    ch.pipeline()
        .addLast("connection", new ClientConnection(limits, metrics, limitMetrics, watch, errors))
        .addLast("http", new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADER_BYTES, 8192))
        .addLast("requests", new HttpRequests(MAX_BODY_BYTES))
        .addLast("router", router);
  }

  private static long maxConnections() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long descriptors = unix.getMaxFileDescriptorCount();
      return descriptors > 2 * RESERVED_DESCRIPTORS ? descriptors - RESERVED_DESCRIPTORS : descriptors / 2;
    }
    return Long.MAX_VALUE;
  }
}
