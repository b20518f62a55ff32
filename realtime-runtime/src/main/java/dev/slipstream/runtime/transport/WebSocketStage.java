package dev.slipstream.runtime.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.concurrent.TimeUnit;

/**
 * The second stage of a client pipeline, for a WebSocket. After the upgrade the pipeline reads:
 * <pre>
 * connection     ClientConnection        byte budget of everything sent; what the client holds
 * throttle       InboundThrottle         bytes read per second; per-client shares pause reading
 * wsencoder      (Netty)                 frames out
 * wsdecoder      (Netty)                 frames in: masks required, UTF-8 checked, at most maxFrameBytes
 * idle-timeout   WebSocketIdleTimeout    no frame for idleTimeout: close 4001
 * websocket      (Netty)                 handshake, close frames, pings answered with pongs
 * ws-aggregator  (Netty)                 fragmented messages reassembled (RFC 6455 5.4), at most maxFrameBytes
 * protocol       the protocol's handler  (Phoenix)
 * errors         ClientErrors            what the client's bytes made anything throw
 * </pre>
 */
public final class WebSocketStage {

  /** How long a close frame may wait behind what the client has not read before the connection is cut. */
  static final long CLOSE_GRACE_SECONDS = 5;

  private final ConnectionLimits limits;
  private final ConnectionMetrics metrics;

  WebSocketStage(ConnectionLimits limits, ConnectionMetrics metrics) {
    this.limits = limits;
    this.metrics = metrics;
  }

  /**
   * Turns the HTTP pipeline of {@code router} into a WebSocket one ending in {@code protocol},
   * and hands it the upgrade request.
   */
  void upgrade(ChannelHandlerContext router, FullHttpRequest request, String path, ChannelHandler protocol) {
    ChannelPipeline pipeline = router.pipeline();
    pipeline.remove(ClientPipeline.REQUEST_TIMEOUT);
    pipeline.addBefore(ClientPipeline.ERRORS, "idle-timeout", new WebSocketIdleTimeout(limits.idleTimeout(), metrics));
    pipeline.addBefore(ClientPipeline.ERRORS, "websocket", new WebSocketServerProtocolHandler(
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(path)
            .checkStartsWith(true)
            .dropPongFrames(true)
            .decoderConfig(WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(limits.maxFrameBytes())
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .withUTF8Validator(true)
                .closeOnProtocolViolation(true)
                .build())
            .build()));
    pipeline.addBefore(ClientPipeline.ERRORS, "ws-aggregator", new WebSocketFrameAggregator(limits.maxFrameBytes()));
    pipeline.addBefore(ClientPipeline.ERRORS, "protocol", protocol);
    router.fireChannelRead(request.retain());
    pipeline.remove(router.handler());
  }

  static boolean isWebSocket(Channel channel) {
    return channel.pipeline().get(WebSocketServerProtocolHandler.class) != null;
  }

  /**
   * Ends a WebSocket from the server's side: a close frame with {@code code} and {@code reason}
   * (at most 123 bytes), which the client sees if it reads within {@link #CLOSE_GRACE_SECONDS};
   * after that the connection is cut and its buffers are freed.
   */
  public static void close(Channel channel, int code, String reason) {
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  ConnectionMetrics metrics() {
    return metrics;
  }
}
