package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import io.netty.buffer.ByteBuf;

/**
 * A subscriber that never gets a change twice: it knows the position it has everything through
 * (moved by every delivery, and set by a resuming client's replay, see {@code resume.Resume}),
 * and drops a delivery at or before it — an event both replayed and routed live.
 *
 * <p>The position is owned by the subscriber's event loop, where deliveries and replays run.
 */
public abstract class ResumableSubscriber implements Subscriber {

  private EventPosition through;

  @Override
  public final void deliver(ChangeEvent event, ByteBuf frame) {
    EventPosition position = event.position();
    if (through != null && !position.isAfter(through)) {
      frame.release();
      return;
    }
    through = position;
    send(frame);
  }

  /** The subscriber has everything through {@code position} (after a replay). */
  public final void replayedThrough(EventPosition position) {
    if (through == null || position.isAfter(through)) {
      through = position;
    }
  }

  /** Queues the frame on the subscriber's connection; takes ownership of one reference. */
  protected abstract void send(ByteBuf frame);
}
