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

  /**
   * The position it has everything through, as two primitives: compared for every delivery, so no
   * object to load per subscriber and event (a Comparator chain showed in the fan-out profile).
   */
  private long throughLsn;
  private int throughIndex;
  private boolean hasThrough;

  @Override
  public final void deliver(ChangeEvent event, ByteBuf frame) {
    EventPosition position = event.position();
    if (hasThrough && !isAfterThrough(position.commitLsn(), position.index())) {
      frame.release();
      return;
    }
    moveThrough(position);
    send(frame);
  }

  /** The subscriber has everything through {@code position} (after a replay). */
  public final void replayedThrough(EventPosition position) {
    if (!hasThrough || isAfterThrough(position.commitLsn(), position.index())) {
      moveThrough(position);
    }
  }

  /** {@link EventPosition}'s order: the commit LSN unsigned, then the index. */
  private boolean isAfterThrough(long commitLsn, int index) {
    int byLsn = Long.compareUnsigned(commitLsn, throughLsn);
    return byLsn > 0 || byLsn == 0 && index > throughIndex;
  }

  private void moveThrough(EventPosition position) {
    throughLsn = position.commitLsn();
    throughIndex = position.index();
    hasThrough = true;
  }

  /** Queues the frame on the subscriber's connection, sent at the next {@link #flush}; takes ownership of one reference. */
  protected abstract void send(ByteBuf frame);

  @Override
  public abstract void flush();
}
