package dev.slipstream.runtime.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A connection has {@code timeout} to send a complete HTTP request: after it connects, and after
 * each response while it is kept alive. A client that sends nothing, or one byte at a time
 * (slowloris), gets {@code 408 Request Timeout} and is closed, counted as
 * {@code handshake_timeout}. Sits behind the request aggregator, so it sees whole requests; it is
 * removed when the connection becomes a WebSocket or an SSE stream, whose own rules take over.
 */
final class RequestTimeout extends ChannelDuplexHandler {

  private static final byte[] BODY = "{\"error\":\"no complete request in time\"}".getBytes(StandardCharsets.UTF_8);

  private final long timeoutNanos;
  private final ConnectionMetrics metrics;
  private ScheduledFuture<?> timer;

  RequestTimeout(Duration timeout, ConnectionMetrics metrics) {
    this.timeoutNanos = timeout.toNanos();
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      arm(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (timer == null) {
      arm(ctx);
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest) {
      cancel();
      ClientConnection connection = ClientConnection.of(ctx.channel());
      if (connection != null) {
        connection.messageCompleted();
      }
      ctx.fireChannelRead(msg);
      if (!ctx.isRemoved() && ctx.channel().isActive()) {
        arm(ctx); // kept alive: the next request has the same time
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void arm(ChannelHandlerContext ctx) {
    cancel();
    timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (ctx.isRemoved() || !ctx.channel().isActive()) {
      return;
    }
    metrics.closed(ConnectionMetrics.HANDSHAKE_TIMEOUT);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
        Unpooled.wrappedBuffer(BODY));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    // A client that does not read would hold the response, and the connection, for ever.
    ctx.executor().schedule(() -> ctx.channel().close(), 1, TimeUnit.SECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }
}
