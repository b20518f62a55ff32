package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.Share;
import dev.slipstream.runtime.limits.TokenBucket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Throttles a client by not reading from its socket: TCP then holds the client back, and the work
 * one client can cause the server (decoding, parsing, replying) is bounded by what is read. Bytes
 * are read at {@code bytesPerSecond} (bursts of twice that); protocol handlers throttle their own
 * per-client shares (messages, joins) through {@link #pause}.
 *
 * <p>While paused, {@code read()} requests from handlers behind this one (Netty's WebSocket
 * handler asks for a read after answering a ping) are held back too, so a ping flood cannot read
 * around the pause. Owned by the channel's event loop.
 */
public final class InboundThrottle extends ChannelDuplexHandler {

  private final long bytesPerSecond;
  private final LimitMetrics metrics;
  private TokenBucket bytes;
  private ChannelHandlerContext ctx;
  private long pausedUntil;
  private boolean paused;
  private boolean readRequested;
  private ScheduledFuture<?> resume;

  public InboundThrottle(long bytesPerSecond, LimitMetrics metrics) {
    this.bytesPerSecond = bytesPerSecond;
    this.metrics = metrics;
  }

  public static InboundThrottle of(Channel channel) {
    return channel.pipeline().get(InboundThrottle.class);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.bytes = new TokenBucket(bytesPerSecond, 2.0 * bytesPerSecond, ctx.executor().ticker()::nanoTime);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      long owed = bytes.charge(buf.readableBytes());
      if (owed > 0) {
        pause(owed, Share.INBOUND_BYTES);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Stops reading from the client for {@code nanos} (longer if already paused longer), counted
   * once per pause under {@code share}. What was already read is still delivered.
   */
  public void pause(long nanos, Share share) {
    long until = ctx.executor().ticker().nanoTime() + nanos;
    if (paused && until - pausedUntil <= 0) {
      return;
    }
    if (!paused) {
      metrics.throttled(share);
      paused = true;
      ctx.channel().config().setAutoRead(false);
    }
    pausedUntil = until;
    if (resume != null) {
      resume.cancel(false);
    }
    resume = ctx.executor().schedule(this::resume, nanos, TimeUnit.NANOSECONDS);
  }

  private void resume() {
    resume = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    paused = false;
    ctx.channel().config().setAutoRead(true);
    if (readRequested) {
      readRequested = false;
      ctx.read();
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (paused) {
      readRequested = true;
      return;
    }
    ctx.read();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (resume != null) {
      resume.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
