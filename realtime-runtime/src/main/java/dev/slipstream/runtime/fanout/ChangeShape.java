package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;

/**
 * One way of serialising a change for subscribers (a protocol's payload). The fan-out knows none
 * of them; it makes sure each change is serialised once per shape, however many subscribers use it.
 * Implementations are called from the replication thread and from event loops (replays).
 */
@FunctionalInterface
public interface ChangeShape {

  byte[] encode(ChangeEvent event);
}
