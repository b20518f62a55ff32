package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.limits.LimitMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.internal.SystemPropertyUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection as the transport keeps it: the first handler of every client pipeline.
 *
 * <p><b>Byte budget.</b> Every byte the server sends to the client, whoever writes it (fan-out
 * deliveries, replies, presence, system messages, SSE events, Netty's own pongs and HTTP
 * responses), is counted by one mechanism: Netty's outbound buffer, the bytes handed to the
 * channel that the socket has not taken (DESIGN principle 5). A healthy client's backlog rises
 * during a burst and falls again, so the budget is judged by progress, not at an instant
 * ({@link DrainProgress}):
 * <ul>
 *   <li>backlog above the budget and fewer than {@link DrainProgress#MIN_PROGRESS_BYTES} drained
 *       over the last {@link DrainProgress#WINDOW}: the client has stopped reading. A client that
 *       drains slowly, however slowly, keeps its place;
 *   <li>backlog above {@link #HARD_LIMIT_FACTOR} times the budget: at once, however it
 *       progresses, so memory stays bounded whatever clients do (and all clients together stay
 *       under the {@link ConnectionWatch}'s cap).
 * </ul>
 * Either way the client is counted, logged once (address, what it subscribed to, bytes held, time
 * without progress), what it has not been sent is dropped, and the protocol's over-budget action
 * runs (WebSocket: close code 4000, which now goes out right behind the frame in flight; by
 * default the connection is closed); later frames are released unsent. Frames sent through
 * {@link #send} or {@link #queue} are pre-framed bytes, written from here straight to the socket
 * with the void promise. Flushes are batched: {@link #send} flushes once per connection per
 * event-loop tick; the fan-out queues all of a connection's frames of a batch and flushes once
 * right after them ({@link #flushQueued}), so either way a loop that is behind sends everything
 * queued for a connection in one flush (one {@code writev}).
 *
 * <p><b>Reading.</b> Bytes read pass the connection's {@link InboundThrottle}; until a complete
 * message is read ({@link #messageCompleted}) they count as held by the client's decoders.
 *
 * <p><b>Deadlines</b> ({@link ConnectionDeadlines}): a connection has {@code handshakeTimeout} to
 * send a complete HTTP request (else 408 and closed); a stage may set another deadline or none,
 * and close a connection that completes no message for {@code idleTimeout}.
 *
 * <p>All mutable state is owned by the channel's event loop, except {@link #heldBytes()} and the
 * deadlines, which the watch reads.
 */
public final class ClientConnection extends ConnectionDeadlines {

  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  /**
   * What Netty's outbound buffer adds to each message's size in its pending count (its own
   * property and default). Counted in what was submitted too, so that "drained" does not fall
   * as frames are queued: a reader draining slowly while a burst arrives must show progress.
   */
  private static final int ENTRY_OVERHEAD =
      SystemPropertyUtil.getInt("io.netty.transport.outboundBufferEntrySizeOverhead", 96);

  /**
   * How long the close frame of a client cut off for slowness waits to be read: its backlog was
   * dropped, so waiting costs a socket and little memory, and a client that stalled for a while
   * still learns why it was closed (4000) when it reads again.
   */
  public static final Duration SLOW_CLOSE_GRACE = Duration.ofSeconds(60);

  /**
   * How far past its budget a client's backlog may grow while it still drains: 64 MiB at the
   * default 1 MiB budget, room for a burst of tens of megabytes to a reader that keeps up slowly.
   */
  public static final int HARD_LIMIT_FACTOR = 64;

  private final ConnectionLimits limits;
  private final ConnectionMetrics metrics;
  private final LimitMetrics limitMetrics;
  private final ConnectionWatch watch;
  private final ClientErrors errors;
  private final Runnable flushTask = this::flush;
  private ChannelHandlerContext ctx;
  private InboundThrottle throttle;
  private Runnable overBudget;
  /**
   * Every byte written towards the socket through this connection, each message counted as Netty's
   * outbound buffer counts it (its bytes plus the buffer's entry overhead); with the backlog, what drained.
   */
  private long submittedBytes;
  /** Bytes read since the last complete message: what a client's unfinished message holds. */
  private volatile long partialInboundBytes;
  private boolean flushScheduled;
  private boolean progressCheckScheduled;
  private DrainProgress progress;
  /** What the client subscribed to, for the log line when it is cut off (no tokens). */
  private Supplier<String> describe;
  private boolean closing;
  private boolean errorLogged;

  public ClientConnection(ConnectionLimits limits, ConnectionMetrics metrics, LimitMetrics limitMetrics,
      ConnectionWatch watch, ClientErrors errors) {
    super(watch, limits.idleTimeout());
    this.limits = limits;
    this.metrics = metrics;
    this.limitMetrics = limitMetrics;
    this.watch = watch;
    this.errors = errors;
  }

  /** The connection of a client channel (its first handler). */
  public static ClientConnection of(Channel channel) {
    return channel.pipeline().get(ClientConnection.class);
  }

  public Channel channel() {
    return ctx.channel();
  }

  /** The throttle protocols pause reading through, for their per-client shares. */
  public InboundThrottle throttle() {
    return throttle;
  }

  ClientErrors errors() {
    return errors;
  }

  /** True the first time: a client's errors are logged once per connection. */
  boolean firstError() {
    boolean first = !errorLogged;
    errorLogged = true;
    return first;
  }

  /**
   * What the protocol does with a client over budget; it must end the connection (with its
   * protocol's signal). Runs on the event loop. Without one, the connection is closed.
   */
  private Runnable drain;

  public void onOverBudget(Runnable action) {
    this.overBudget = action;
  }

  /** What the client is subscribed to (topics, a table), for logs; never credentials. Event loop. */
  public void describe(Supplier<String> description) {
    this.describe = description;
  }

  /**
   * How the protocol asks its client to reconnect when the pod drains (WebSocket: a close frame;
   * realtime-js and EventSource reconnect by themselves). Runs on the event loop. Without one, the
   * connection is closed.
   */
  public void onDrain(Runnable action) {
    this.drain = action;
  }

  /** The pod is going away: say goodbye the protocol's way, at once. Any thread. */
  void drain() {
    ctx.executor().execute(() -> {
      if (ctx.channel().isActive() && !closing) {
        closing = true;
        metrics.closed(ConnectionMetrics.DRAINING);
        Runnable action = drain;
        if (action != null) {
          action.run();
        } else {
          ctx.close();
        }
      }
    });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.throttle = new InboundThrottle(ctx, limits.inboundBytesPerSecond(), limitMetrics);
    expectRequest();
    watch.register(this);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    watch.unregister(this);
    throttle.stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    watch.unregister(this);
  }

  // ---- sending --------------------------------------------------------------------------------

  /** Sends a complete frame from any thread; takes ownership of one reference. */
  public void send(ByteBuf frame) {
    if (ctx.executor().inEventLoop()) {
      sendOnLoop(frame);
    } else {
      ctx.executor().execute(() -> sendOnLoop(frame));
    }
  }

  private void sendOnLoop(ByteBuf frame) {
    if (write(frame) && !flushScheduled) {
      flushScheduled = true;
      ctx.executor().execute(flushTask);
    }
  }

  /**
   * Queues a complete frame without flushing; takes ownership of one reference. For a caller that
   * has several frames for this connection at once (the fan-out): it queues them all, then calls
   * {@link #flushQueued} once, while the connection is still in the cache, instead of a flush task
   * per connection later. Event loop only.
   */
  public void queue(ByteBuf frame) {
    write(frame);
  }

  /** Sends everything queued: one flush, one {@code writev}. Event loop only. */
  public void flushQueued() {
    ctx.flush();
  }

  /** Writes a frame towards the socket unless the client is closing or past the hard limit. */
  private boolean write(ByteBuf frame) {
    if (closing || !ctx.channel().isActive()) {
      frame.release();
      return false;
    }
    int size = frame.readableBytes();
    long backlog = backlog();
    if (backlog + size > limits.clientBufferBytes() * HARD_LIMIT_FACTOR) {
      frame.release(); // the frame that would take it past the hard limit is not queued at all
      tooSlow();
      return false;
    }
    submittedBytes += size + ENTRY_OVERHEAD;
    // No listener per frame: the outbound buffer is the count. Failures (the client went away)
    // need no notice either, so the promise is the one that never fires exceptionCaught.
    ctx.write(frame, ctx.channel().unsafe().voidPromise());
    judge(backlog + size + ENTRY_OVERHEAD); // what the outbound buffer now holds, without reading it again
    return true;
  }

  private void flush() {
    flushScheduled = false;
    ctx.flush();
  }

  /** Writes from the handlers behind this one (replies, pongs, HTTP responses) count too. */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      submittedBytes += buf.readableBytes() + ENTRY_OVERHEAD;
    } else if (msg instanceof ByteBufHolder holder) {
      submittedBytes += holder.content().readableBytes() + ENTRY_OVERHEAD;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      judge(backlog()); // whoever wrote, the backlog passed the high water mark
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---- the budget -----------------------------------------------------------------------------

  private void judge(long backlog) {
    if (closing) {
      return;
    }
    if (backlog > limits.clientBufferBytes() * HARD_LIMIT_FACTOR) {
      tooSlow();
    } else if (backlog > limits.clientBufferBytes() && !progressCheckScheduled) {
      if (progress == null) {
        progress = new DrainProgress(limits.clientBufferBytes());
      }
      progress.start(nanoTime(), drained());
      scheduleProgressCheck();
    }
  }

  /** While over budget: a sample of what drained every {@link DrainProgress#SAMPLE_INTERVAL}. */
  private void scheduleProgressCheck() {
    progressCheckScheduled = true;
    ctx.executor().schedule(() -> {
      progressCheckScheduled = false;
      if (closing) {
        return;
      }
      if (backlog() <= limits.clientBufferBytes()) {
        progress = null; // caught up: the next burst is judged afresh
        return;
      }
      if (progress.sample(nanoTime(), drained())) {
        tooSlow();
      } else {
        scheduleProgressCheck();
      }
    }, DrainProgress.SAMPLE_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
  }

  private long nanoTime() {
    return ctx.executor().ticker().nanoTime();
  }

  private void tooSlow() {
    if (closing) {
      return;
    }
    closing = true;
    metrics.closed(ConnectionMetrics.SLOW_CLIENT);
    long now = nanoTime();
    log.info("Closed a slow client {} ({}): {} bytes held over a budget of {}, {}", ctx.channel().remoteAddress(),
        describe == null ? "no subscription" : describe.get(), backlog(), limits.clientBufferBytes(),
        progress == null ? "past the hard limit of " + HARD_LIMIT_FACTOR + " budgets" : progress.describe(now));
    progress = null;
    // Not from inside a write or a writability event: the outbound buffer may be mid-update there.
    ctx.executor().execute(() -> {
      SlowClientBacklog.discard(ctx);
      if (overBudget != null) {
        overBudget.run();
      } else {
        ctx.close();
      }
    });
  }

  /**
   * Closed by the {@link ConnectionWatch} (from its thread): the process holds too much for its
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
   * Grows exactly when the socket takes bytes: everything submitted minus what is still held, both
   * counted with the outbound buffer's entry overhead, so queuing frames does not move it.
   */
  private long drained() {
    return submittedBytes - backlog();
  }

  /** What this client holds in the process: unsent output and an unfinished input message. Any thread. */
  long heldBytes() {
    ChannelOutboundBuffer outbound = ctx == null ? null : ctx.channel().unsafe().outboundBuffer();
    return (outbound == null ? 0 : outbound.totalPendingWriteBytes()) + partialInboundBytes;
  }

  // ---- reading --------------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      int count = buf.readableBytes();
      partialInboundBytes += count;
      throttle.read(count);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (throttle.mayRead()) {
      ctx.read();
    }
  }

  /**
   * A complete message (HTTP request, WebSocket message) was read: its bytes are no longer held by
   * decoders, and an idle connection is not idle any more.
   */
  void messageCompleted() {
    partialInboundBytes = 0;
    notIdle();
  }

  /** A complete HTTP request within {@code handshakeTimeout}, or 408 and closed. */
  void expectRequest() {
    deadline(limits.handshakeTimeout(), () -> {
      metrics.closed(ConnectionMetrics.HANDSHAKE_TIMEOUT);
      HttpResponses.requestTimeout(ctx.channel());
    });
  }

  @Override
  ChannelHandlerContext context() {
    return ctx;
  }

  @Override
  boolean startClosing() {
    if (closing) {
      return false;
    }
    closing = true;
    return true;
  }
}
