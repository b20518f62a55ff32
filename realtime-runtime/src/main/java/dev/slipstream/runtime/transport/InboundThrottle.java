package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.Share;
import dev.slipstream.runtime.limits.TokenBucket;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Throttles a client by not reading from its socket: TCP then holds the client back, and the work
 * one client can cause the server (decoding, parsing, replying) is bounded by what is read. Bytes
 * are read at {@code bytesPerSecond} (bursts of twice that); protocol handlers throttle their own
 * per-client shares (messages, joins) through {@link #pause}.
 *
 * <p>Part of the {@link ClientConnection}, which hands it every read and every {@code read()}
 * request: while paused, requests from the handlers behind (Netty's WebSocket handler asks for a
 * read after answering a ping) are held back too, so a ping flood cannot read around the pause.
 * Owned by the channel's event loop.
 */
public final class InboundThrottle {

  private final ChannelHandlerContext ctx;
  private final TokenBucket bytes;
  private final LimitMetrics metrics;
  private long pausedUntil;
  private boolean paused;
  private boolean readRequested;
  private ScheduledFuture<?> resume;

  InboundThrottle(ChannelHandlerContext ctx, long bytesPerSecond, LimitMetrics metrics) {
    this.ctx = ctx;
    this.bytes = new TokenBucket(bytesPerSecond, 2.0 * bytesPerSecond, ctx.executor().ticker()::nanoTime);
    this.metrics = metrics;
  }

  /** {@code count} bytes were read from the client. */
  void read(int count) {
    long owed = bytes.charge(count);
    if (owed > 0) {
      pause(owed, Share.INBOUND_BYTES);
    }
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

  /** Whether a {@code read()} request may go to the socket now; if not, it goes when the pause ends. */
  boolean mayRead() {
    if (paused) {
      readRequested = true;
      return false;
    }
    return true;
  }

  void stop() {
    if (resume != null) {
      resume.cancel(false);
      resume = null;
    }
  }
}
