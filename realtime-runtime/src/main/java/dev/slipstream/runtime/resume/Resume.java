package dev.slipstream.runtime.resume;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * How a subscriber that comes back with the last position it saw gets what it missed, the same
 * way for every protocol (a Phoenix join's {@code config.resume_after}, SSE's
 * {@code Last-Event-ID}): the events after it still in the {@link ResumeRing}, oldest first, then
 * the live stream with nothing twice; or, when the ring no longer reaches back that far or the
 * position lies beyond anything the stream has reached, a gap the protocol tells its client about
 * (it refetches, then follows the live stream).
 *
 * <p>The subscriber registers for live changes before it replays: an event is in the ring before
 * it is routed, so it is found in one or the other, or both; the position returned is what the
 * subscriber has everything through, and a live delivery at or before it is the repeat to drop.
 */
public final class Resume {

  private final ResumeRing ring;

  public Resume(ResumeRing ring) {
    this.ring = ring;
  }

  /**
   * Sends the events after {@code after} that {@code wants} accepts through {@code send}, oldest
   * first. Returns the position the subscriber has everything through, or empty for a gap (nothing
   * was sent).
   */
  public Optional<EventPosition> replay(EventPosition after, Predicate<ChangeEvent> wants, Consumer<ChangeEvent> send) {
    Optional<List<ChangeEvent>> missed = ring.after(after);
    if (missed.isEmpty()) {
      return Optional.empty();
    }
    EventPosition through = after;
    for (ChangeEvent event : missed.get()) {
      through = event.position();
      if (wants.test(event)) {
        send.accept(event);
      }
    }
    return Optional.of(through);
  }
}
