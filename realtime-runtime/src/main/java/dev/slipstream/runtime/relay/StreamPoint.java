package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.EventPosition;

/**
 * How far a pod's change stream has come: the end LSN of the last transaction it committed and
 * the position of the last event it accepted. A follower resumes from here, and drops what it is
 * sent up to here.
 *
 * @param endLsn 0 when the pod has nothing yet: it then starts live, from the leader's latest commit
 * @param lastPosition null when the pod has accepted no event
 */
public record StreamPoint(long endLsn, EventPosition lastPosition) {

  /** A pod that has nothing yet. */
  public static final StreamPoint NONE = new StreamPoint(0, null);

  @Override
  public String toString() {
    return Lsn.format(endLsn) + (lastPosition == null ? "" : " (" + lastPosition + ")");
  }
}
