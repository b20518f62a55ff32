package dev.slipstream.runtime.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A connection's deadlines, the part of {@link ClientConnection} the {@link ConnectionWatch}
 * checks from its own thread: a one-shot deadline a stage sets (a complete HTTP request in time, a
 * WebSocket's first join) or clears (an SSE stream), and, once asked for, the idle deadline that
 * every complete message pushes back. One sweep over these fields for all connections costs less
 * than a timer per connection. The deadlines are volatile, for the watch; what runs when one
 * passes is owned by the event loop, where it runs.
 */
abstract class ConnectionDeadlines extends ChannelDuplexHandler {

  private static final long NEVER = Long.MAX_VALUE;

  private final ConnectionWatch watch;
  private final long idleTimeoutNanos;
  /** When the one-shot deadline passes (the watch's clock), and what happens then. */
  private volatile long deadlineAt = NEVER;
  private Runnable onDeadline;
  /** When the connection counts as idle, pushed back by every complete message; NEVER until asked for. */
  private volatile long idleAt = NEVER;
  private Consumer<Channel> onIdle;

  ConnectionDeadlines(ConnectionWatch watch, Duration idleTimeout) {
    this.watch = watch;
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  /** The connection's context, once added. */
  abstract ChannelHandlerContext context();

  /** Marks the connection as closing; false if it was already. */
  abstract boolean startClosing();

  /** Runs {@code action} on the event loop after {@code after}, unless cleared or replaced first. */
  public void deadline(Duration after, Runnable action) {
    onDeadline = action;
    deadlineAt = watch.nanoTime() + after.toNanos();
  }

  public void clearDeadline() {
    deadlineAt = NEVER;
    onDeadline = null;
  }

  /** From now on, {@code action} runs when no complete message arrives for the idle timeout. */
  void closeWhenIdle(Consumer<Channel> action) {
    onIdle = action;
    idleAt = watch.nanoTime() + idleTimeoutNanos;
  }

  /** A complete message arrived: an idle deadline, if asked for, moves. */
  void notIdle() {
    if (idleAt != NEVER) {
      idleAt = watch.nanoTime() + idleTimeoutNanos;
    }
  }

  /** From the {@link ConnectionWatch}'s thread: hands a passed deadline to the event loop. */
  void expireIfDue(long now) {
    if (now - deadlineAt >= 0 || now - idleAt >= 0) {
      context().executor().execute(() -> expire(watch.nanoTime()));
    }
  }

  private void expire(long now) {
    if (!context().channel().isActive()) {
      return;
    }
    // Checked again on the loop: a message may have pushed the idle deadline back meanwhile.
    Runnable deadlineAction = now - deadlineAt >= 0 ? onDeadline : null;
    boolean idle = deadlineAction == null && now - idleAt >= 0 && onIdle != null;
    if ((deadlineAction != null || idle) && startClosing()) {
      deadlineAt = NEVER;
      idleAt = NEVER;
      if (idle) {
        onIdle.accept(context().channel());
      } else {
        deadlineAction.run();
      }
    }
  }
}
