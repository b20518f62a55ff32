package dev.slipstream.runtime.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket that sends no frame at all for {@code timeout} (no message, no heartbeat, no ping)
 * is closed with close code {@link #IDLE_CLOSE_CODE}, counted as {@code idle_timeout}: it holds a
 * file descriptor and a client slot for nothing, or its peer is gone without a FIN. Sits right
 * behind the frame decoder, so it sees every frame, fragments and pings included; a frame that
 * ends a message tells the {@link ClientConnection} that the decoders hold nothing of it any more.
 * One timer per connection, moved only when it fires (as Netty's IdleStateHandler does).
 */
final class WebSocketIdleTimeout extends ChannelInboundHandlerAdapter {

  static final int IDLE_CLOSE_CODE = 4001;

  private final long timeoutNanos;
  private final ConnectionMetrics metrics;
  private ClientConnection connection;
  private long lastFrameAt;
  private ScheduledFuture<?> timer;

  WebSocketIdleTimeout(Duration timeout, ConnectionMetrics metrics) {
    this.timeoutNanos = timeout.toNanos();
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    connection = ClientConnection.of(ctx.channel());
    lastFrameAt = ctx.executor().ticker().nanoTime();
    schedule(ctx, timeoutNanos);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame frame) {
      lastFrameAt = ctx.executor().ticker().nanoTime();
      if (frame.isFinalFragment() && connection != null) {
        connection.messageCompleted();
      }
    }
    ctx.fireChannelRead(msg);
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (ctx.isRemoved() || !ctx.channel().isActive()) {
      return;
    }
    long idle = ctx.executor().ticker().nanoTime() - lastFrameAt;
    if (idle < timeoutNanos) {
      schedule(ctx, timeoutNanos - idle);
      return;
    }
    metrics.closed(ConnectionMetrics.IDLE_TIMEOUT);
    WebSocketStage.close(ctx.channel(), IDLE_CLOSE_CODE,
        "idle: nothing received for " + Duration.ofNanos(timeoutNanos).toSeconds() + " s, not even a heartbeat");
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
