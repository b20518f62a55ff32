package dev.slipstream.runtime.replication;

/**
 * How far the slot may be confirmed, given how far this pod has delivered. Alone, everything
 * delivered; as the leader of followers, only what every connected follower acknowledged too, so a
 * follower's clients never miss what the slot would no longer resend after a failover.
 */
@FunctionalInterface
public interface ConfirmGate {

  /** Everything delivered may be confirmed. */
  ConfirmGate DELIVERED = deliveredEndLsn -> deliveredEndLsn;

  /** An end LSN at or before {@code deliveredEndLsn} (unsigned order); 0 when nothing may be confirmed. */
  long confirmable(long deliveredEndLsn);
}
