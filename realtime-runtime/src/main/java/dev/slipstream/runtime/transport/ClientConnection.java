package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.change.EventPosition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One client connection's byte budget: the first handler of every client pipeline, so that
 * every byte the server sends to the client, whoever writes it (fan-out deliveries, replies,
 * presence, system messages, SSE events, Netty's own pongs and HTTP responses), is counted by one
 * mechanism: Netty's outbound buffer, the bytes handed to the channel that the socket has not
 * taken (DESIGN principle 5).
 *
 * <p>A healthy client's backlog rises during a burst (a 10 MB transaction arrives faster than any
 * socket drains) and falls again, so the budget is judged with time, not at an instant:
 * <ul>
 *   <li>backlog above the budget and no byte drained for {@code stallTimeout}: the client has
 *       stopped reading;
 *   <li>backlog above {@link #HARD_LIMIT_FACTOR} times the budget: at once, however it
 *       progresses, so memory stays bounded whatever clients do.
 * </ul>
 * Either way the protocol's over-budget action runs (WebSocket: close code 4000; by default the
 * connection is closed) and later frames are released unsent. The process-wide {@link MemoryGuard}
 * reads {@link #heldBytes()} from its own thread to close the largest holders first when the
 * total is over its cap.
 *
 * <p>Frames sent through {@link #send} are pre-framed bytes, written from here straight to the
 * socket; flushes are batched, one per event-loop tick. Frames with a position are never sent
 * twice or out of order. All mutable state is owned by the channel's event loop, except
 * {@link #heldBytes()}, which is safe to read from any thread.
 */
public final class ClientConnection extends ChannelDuplexHandler {

  /** How far past its budget a client's backlog may grow while it still drains. */
  public static final int HARD_LIMIT_FACTOR = 16;
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(2);

  private final long budgetBytes;
  private final long stallTimeoutNanos;
  private final ConnectionMetrics metrics;
  private final MemoryGuard guard;
  private final Runnable flushTask = this::flush;
  private Runnable overBudget;
  private ChannelHandlerContext ctx;
  /** Every byte written towards the socket through this connection; with the backlog, what drained. */
  private long submittedBytes;
  /** Bytes read since the last complete message: what a client's unfinished message holds. */
  private volatile long partialInboundBytes;
  private boolean flushScheduled;
  private boolean stallCheckScheduled;
  private boolean closing;
  private EventPosition lastSent;

  public ClientConnection(long budgetBytes, Duration stallTimeout, ConnectionMetrics metrics, MemoryGuard guard) {
    this.budgetBytes = budgetBytes;
    this.stallTimeoutNanos = stallTimeout.toNanos();
    this.metrics = metrics;
    this.guard = guard;
  }

  /** The connection of a client channel (its first handler). */
  public static ClientConnection of(Channel channel) {
    return channel.pipeline().get(ClientConnection.class);
  }

  public Channel channel() {
    return ctx.channel();
  }

  /**
   * What the protocol does with a client over budget; it must end the connection (with its
   * protocol's signal). Runs on the event loop. Without one, the connection is closed.
   */
  public void onOverBudget(Runnable action) {
    this.overBudget = action;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    guard.register(this);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    guard.unregister(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    guard.unregister(this);
  }

  // ---- sending --------------------------------------------------------------------------------

  /** Sends a complete frame from any thread; takes ownership of one reference. */
  public void send(ByteBuf frame, EventPosition position) {
    if (ctx.executor().inEventLoop()) {
      sendOnLoop(frame, position);
    } else {
      ctx.executor().execute(() -> sendOnLoop(frame, position));
    }
  }

  /** Sends a complete frame that has no position, from any thread. */
  public void send(ByteBuf frame) {
    send(frame, null);
  }

  /** Events at or before this position are not sent again (set it to a resuming client's position). */
  public void skipThrough(EventPosition position) {
    if (lastSent == null || position.isAfter(lastSent)) {
      lastSent = position;
    }
  }

  private void sendOnLoop(ByteBuf frame, EventPosition position) {
    if (closing || !ctx.channel().isActive()) {
      frame.release();
      return;
    }
    if (position != null) {
      if (lastSent != null && !position.isAfter(lastSent)) {
        frame.release();
        return;
      }
      lastSent = position;
    }
    int size = frame.readableBytes();
    if (backlog() + size > budgetBytes * HARD_LIMIT_FACTOR) {
      frame.release(); // the frame that would take it past the hard limit is not queued at all
      if (!closing) {
        tooSlow();
      }
      return;
    }
    submittedBytes += size;
    // No listener per frame: the outbound buffer is the count. Failures (the client went away)
    // need no notice either, so the promise is the one that never fires exceptionCaught.
    ctx.write(frame, ctx.channel().unsafe().voidPromise());
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.executor().execute(flushTask);
    }
    judge();
  }

  private void flush() {
    flushScheduled = false;
    ctx.flush();
  }

  /** Writes from the handlers behind this one (replies, pongs, HTTP responses) count too. */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      submittedBytes += buf.readableBytes();
    } else if (msg instanceof ByteBufHolder holder) {
      submittedBytes += holder.content().readableBytes();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      judge(); // whoever wrote, the backlog passed the high water mark
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---- the budget -----------------------------------------------------------------------------

  private void judge() {
    if (closing) {
      return;
    }
    long backlog = backlog();
    if (backlog > budgetBytes * HARD_LIMIT_FACTOR) {
      tooSlow();
    } else if (backlog > budgetBytes && !stallCheckScheduled) {
      scheduleStallCheck(drained());
    }
  }

  private void scheduleStallCheck(long drainedAtStart) {
    stallCheckScheduled = true;
    ctx.executor().schedule(() -> {
      stallCheckScheduled = false;
      if (closing || backlog() <= budgetBytes) {
        return;
      }
      long drainedNow = drained();
      if (drainedNow <= drainedAtStart) {
        tooSlow();
      } else {
        scheduleStallCheck(drainedNow);
      }
    }, stallTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void tooSlow() {
    closing = true;
    metrics.closed(ConnectionMetrics.SLOW_CLIENT);
    if (overBudget != null) {
      overBudget.run();
    } else {
      ctx.close();
    }
  }

  /**
   * Closed by the {@link MemoryGuard} (from its thread): the process holds too much for its
   * clients and this one holds the most. Cut at once; its buffers are freed with the channel.
   */
  void evict() {
    ctx.executor().execute(() -> {
      if (ctx.channel().isActive()) {
        closing = true;
        metrics.closed(ConnectionMetrics.MEMORY_PRESSURE);
        ctx.close();
      }
    });
  }

  /** Bytes handed to the channel that the socket has not taken; Netty's count, entry overhead included. */
  private long backlog() {
    ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
    return outbound == null ? 0 : outbound.totalPendingWriteBytes();
  }

  /**
   * Grows exactly when the socket takes bytes: everything submitted minus what is still held
   * (the held count's per-entry overhead only makes it smaller, never larger, while nothing drains).
   */
  private long drained() {
    return submittedBytes - backlog();
  }

  // ---- inbound --------------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      partialInboundBytes += buf.readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  /** A complete message (HTTP request, WebSocket message) was read: its bytes are no longer held by decoders. */
  public void messageCompleted() {
    partialInboundBytes = 0;
  }

  /** What this client holds in the process: unsent output and an unfinished input message. Any thread. */
  long heldBytes() {
    ChannelOutboundBuffer outbound = ctx == null ? null : ctx.channel().unsafe().outboundBuffer();
    return (outbound == null ? 0 : outbound.totalPendingWriteBytes()) + partialInboundBytes;
  }
}
