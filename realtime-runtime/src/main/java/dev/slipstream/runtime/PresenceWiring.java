package dev.slipstream.runtime;

import dev.slipstream.runtime.cluster.ClusterSettings;
import dev.slipstream.runtime.cluster.RoleSwitch;
import dev.slipstream.runtime.phoenix.PresenceExchange;
import dev.slipstream.runtime.phoenix.PresenceOutbox;
import dev.slipstream.runtime.phoenix.Topics;
import dev.slipstream.runtime.relay.PresenceListener;
import java.time.Duration;

/**
 * Joins the Phoenix presence of this pod to the tenant's other pods: the pod's {@link RoleSwitch}
 * carries the messages over the relay (to the leader, or from it to the followers), its
 * {@link PresenceExchange} says what they mean. Neither knows the other.
 */
final class PresenceWiring {

  private PresenceWiring() {
  }

  /**
   * Presences of a pod whose link ended outlive it by twice the Lease duration: long enough for a
   * follower to find a new leader after the old one died (about one Lease duration), short enough
   * that a dead pod's users leave within seconds.
   */
  static Duration grace(ClusterSettings cluster) {
    return cluster.leaseDuration().multipliedBy(2);
  }

  static PresenceExchange connect(Topics topics, RoleSwitch roles, ClusterSettings cluster,
      int maxPresencePayloadBytes) {
    PresenceExchange exchange = new PresenceExchange(topics, cluster.pod(), new PresenceOutbox() {
      @Override
      public void toLeader(byte[] message) {
        roles.presenceToLeader(message);
      }

      @Override
      public void toFollower(String pod, byte[] message) {
        roles.presenceToFollower(pod, message);
      }

      @Override
      public void toFollowers(String exceptPod, byte[] message) {
        roles.presenceToFollowers(exceptPod, message);
      }
    }, grace(cluster));
    PresenceListener followers = new PresenceListener() {
      @Override
      public void linked(String pod) {
        exchange.followerLinked(pod);
      }

      @Override
      public void unlinked(String pod) {
        exchange.followerUnlinked(pod);
      }

      @Override
      public void received(String pod, byte[] message) {
        exchange.fromFollower(pod, message);
      }
    };
    PresenceListener leader = new PresenceListener() {
      @Override
      public void linked(String pod) {
        exchange.leaderLinked();
      }

      @Override
      public void unlinked(String pod) {
        exchange.leaderUnlinked();
      }

      @Override
      public void received(String pod, byte[] message) {
        exchange.fromLeader(message);
      }
    };
    roles.presence(followers, leader, PresenceExchange.maxMessageBytes(maxPresencePayloadBytes));
    return exchange;
  }
}
