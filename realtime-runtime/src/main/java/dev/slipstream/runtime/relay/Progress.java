package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.EventPosition;

/**
 * What a sink has been fed, and so what it must not be fed again; the rule the replication source
 * applies after a reconnect, extended to commits. An event is new when its position is after the
 * last one fed. A commit is new when its end LSN is after the last one fed, or when it ends the
 * events fed since (its end LSN is not before their commit LSN): a transaction all of whose events
 * were fed before is dropped whole, a commit resent for an earlier transaction does not end a
 * transaction half fed, and a non-transactional message whose LSN equals the previous commit's end
 * LSN still gets its commit. Owned by one thread.
 */
final class Progress {

  private long lastEnd;
  private EventPosition lastPosition;
  /** Whether there is a point to resume from (an LSN of 0 is one, once a stream started there). */
  private boolean started;
  private boolean eventsSinceCommit;
  /** The commit LSN of the events fed since the last commit. */
  private long openCommitLsn;

  Progress(StreamPoint from) {
    this.lastEnd = from.endLsn();
    this.lastPosition = from.lastPosition();
    this.started = !from.equals(StreamPoint.NONE);
  }

  boolean started() {
    return started;
  }

  boolean isNew(EventPosition position) {
    return lastPosition == null || position.isAfter(lastPosition);
  }

  void accepted(EventPosition position) {
    lastPosition = position;
    started = true;
    eventsSinceCommit = true;
    openCommitLsn = position.commitLsn();
  }

  boolean commitIsNew(long endLsn) {
    return Lsn.after(endLsn, lastEnd) || eventsSinceCommit && !Lsn.after(openCommitLsn, endLsn);
  }

  /** A new commit (see {@link #commitIsNew}); an old one changes nothing. */
  void committed(long endLsn) {
    if (commitIsNew(endLsn)) {
      lastEnd = Lsn.max(lastEnd, endLsn);
      started = true;
      eventsSinceCommit = false;
    }
  }

  /** Nothing up to {@code lsn} will come (a fresh start, or a gap). */
  void skipTo(long lsn) {
    lastEnd = Lsn.max(lastEnd, lsn);
    started = true;
  }

  long lastEnd() {
    return lastEnd;
  }

  EventPosition lastPosition() {
    return lastPosition;
  }

  StreamPoint point() {
    return new StreamPoint(lastEnd, lastPosition);
  }
}
