package dev.slipstream.runtime.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

/**
 * The second stage of a client pipeline, for a WebSocket. After the upgrade the pipeline reads:
 * <pre>
 * connection  ClientConnection        byte budget of everything sent, reads throttled, deadlines
 * wsencoder   (Netty)                 frames out
 * wsdecoder   (Netty)                 frames in: masks required, no extensions, at most maxFrameBytes
 * messages    WebSocketMessages       pings, closes, fragments reassembled, UTF-8 checked; no complete
 *                                     message for idleTimeout: close 4001
 * protocol    the protocol's handler  (Phoenix), which hands what it cannot handle to ClientErrors
 * </pre>
 * The handshake is Netty's ({@link WebSocketServerHandshakerFactory}), run here rather than by
 * Netty's protocol handler, which would stay in every pipeline with two more handlers behind it.
 */
public final class WebSocketStage {

  /** Close code for a WebSocket that sent no complete message for {@code idleTimeout}. */
  public static final int IDLE_CLOSE_CODE = 4001;

  /** How long a close frame may wait behind what the client has not read before the connection is cut. */
  static final long CLOSE_GRACE_SECONDS = 5;

  private final ConnectionLimits limits;
  private final ConnectionMetrics metrics;
  private final WebSocketDecoderConfig decoderConfig;
  private final Consumer<Channel> idleClose;

  WebSocketStage(ConnectionLimits limits, ConnectionMetrics metrics) {
    this.limits = limits;
    this.metrics = metrics;
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(limits.maxFrameBytes())
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .build();
    String reason = "idle: nothing received for " + limits.idleTimeout().toSeconds() + " s, not even a heartbeat";
    this.idleClose = channel -> {
      metrics.closed(ConnectionMetrics.IDLE_TIMEOUT);
      close(channel, IDLE_CLOSE_CODE, reason);
    };
  }

  /**
   * Answers the upgrade request on {@code router}'s channel and turns its HTTP pipeline into a
   * WebSocket one ending in {@code protocol}.
   */
  public void upgrade(ChannelHandlerContext router, FullHttpRequest request, String path, ChannelHandler protocol) {
    Channel channel = router.channel();
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + path, null, decoderConfig)
        .newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
      return;
    }
    ClientConnection connection = ClientConnection.of(channel);
    connection.clearDeadline();
    connection.closeWhenIdle(idleClose);
    ChannelPipeline pipeline = router.pipeline();
    pipeline.addLast("messages", new WebSocketMessages(limits.maxFrameBytes()));
    pipeline.addLast("protocol", protocol);
    pipeline.remove(router.handler());
    handshaker.handshake(channel, request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  /**
   * Ends a WebSocket from the server's side: a close frame with {@code code} and {@code reason}
   * (at most 123 bytes), which the client sees if it reads within {@link #CLOSE_GRACE_SECONDS};
   * after that the connection is cut and its buffers are freed.
   */
  public static void close(Channel channel, int code, String reason) {
    close(channel, code, reason, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  /** As {@link #close(Channel, int, String)}, with a grace period of one's own. */
  public static void close(Channel channel, int code, String reason, long grace, TimeUnit unit) {
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, grace, unit);
  }

  static boolean isWebSocket(Channel channel) {
    return channel.pipeline().get(WebSocketMessages.class) != null;
  }
}
