package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.EventPosition;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The sending side of one client connection: a byte budget, batched flushes, and no repeats.
 *
 * <p>Frames are written on the channel's event loop. Bytes handed to Netty but not yet taken by
 * the socket are this client's backlog (DESIGN principle 5). A healthy client's backlog rises
 * during a burst (a 10 MB transaction arrives faster than any socket drains) and falls again, so
 * the budget is judged with time, not at an instant:
 * <ul>
 *   <li>backlog above the budget and no byte drained for {@code stallTimeout}: the client has
 *       stopped reading; it is closed through {@code overBudget};
 *   <li>backlog above {@link #HARD_LIMIT_FACTOR} times the budget: it is closed at once, however
 *       it progresses, so memory stays bounded whatever clients do.
 * </ul>
 * Flushes are batched: one flush per event-loop tick however many frames were written in it.
 *
 * <p>All mutable state is owned by the channel's event loop.
 */
public final class ClientConnection {

  /** How far past its budget a client's backlog may grow while it still drains. */
  public static final int HARD_LIMIT_FACTOR = 16;
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(2);

  private final Channel channel;
  private final long budgetBytes;
  private final long stallTimeoutNanos;
  private final Runnable overBudget;
  private final Runnable flushTask = this::flush;
  private long backlogBytes;
  private long drainedBytes;
  private boolean flushScheduled;
  private boolean stallCheckScheduled;
  private boolean closing;
  private EventPosition lastSent;

  /**
   * @param overBudget runs on the event loop when the client is judged too slow; it must close
   *     the channel (with the transport's slow-client signal)
   */
  public ClientConnection(Channel channel, long budgetBytes, Duration stallTimeout, Runnable overBudget) {
    this.channel = channel;
    this.budgetBytes = budgetBytes;
    this.stallTimeoutNanos = stallTimeout.toNanos();
    this.overBudget = overBudget;
  }

  public ClientConnection(Channel channel, long budgetBytes, Runnable overBudget) {
    this(channel, budgetBytes, DEFAULT_STALL_TIMEOUT, overBudget);
  }

  public Channel channel() {
    return channel;
  }

  /** Sends a frame from any thread; takes ownership of one reference. */
  public void send(ByteBuf frame, EventPosition position) {
    if (channel.eventLoop().inEventLoop()) {
      sendOnLoop(frame, position);
    } else {
      channel.eventLoop().execute(() -> sendOnLoop(frame, position));
    }
  }

  /** Events at or before this position are not sent again (set it to a resuming client's position). */
  public void skipThrough(EventPosition position) {
    if (lastSent == null || position.isAfter(lastSent)) {
      lastSent = position;
    }
  }

  private void sendOnLoop(ByteBuf frame, EventPosition position) {
    if (closing || !channel.isActive()) {
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
    if (backlogBytes + size > budgetBytes * HARD_LIMIT_FACTOR) {
      frame.release();
      tooSlow();
      return;
    }
    backlogBytes += size;
    channel.write(frame).addListener((ChannelFutureListener) future -> {
      backlogBytes -= size;
      drainedBytes += size;
    });
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flushTask);
    }
    if (backlogBytes > budgetBytes && !stallCheckScheduled) {
      scheduleStallCheck(drainedBytes);
    }
  }

  private void scheduleStallCheck(long drainedAtStart) {
    stallCheckScheduled = true;
    channel.eventLoop().schedule(() -> {
      stallCheckScheduled = false;
      if (closing || backlogBytes <= budgetBytes) {
        return;
      }
      if (drainedBytes == drainedAtStart) {
        tooSlow();
      } else {
        scheduleStallCheck(drainedBytes);
      }
    }, stallTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void tooSlow() {
    closing = true;
    overBudget.run();
  }

  /** Sends a control frame (not a change) right away, outside the budget. */
  public void sendNow(Object message) {
    if (channel.eventLoop().inEventLoop()) {
      channel.writeAndFlush(message);
    } else {
      channel.eventLoop().execute(() -> channel.writeAndFlush(message));
    }
  }

  private void flush() {
    flushScheduled = false;
    channel.flush();
  }
}
