package dev.slipstream.runtime.phoenix;

/**
 * Where this pod's presence messages go: the tenant's other pods, through the leader's relay. Each
 * call drops the message when the pod has no such link now (a follower that links again is sent
 * everything anew). Must not block; called on the presence thread.
 */
public interface PresenceOutbox {

  /** To the leader, while this pod follows one. */
  void toLeader(byte[] message);

  /** To one follower, while this pod leads. */
  void toFollower(String pod, byte[] message);

  /** To every follower but {@code exceptPod} (null: all), while this pod leads. */
  void toFollowers(String exceptPod, byte[] message);
}
