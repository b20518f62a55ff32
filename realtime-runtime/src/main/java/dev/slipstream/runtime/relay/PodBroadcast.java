package dev.slipstream.runtime.relay;

import java.util.Objects;

/**
 * A client's broadcast as it crosses pods: the relay carries it from the pod the client is on to
 * the leader and from the leader to every other follower; each pod hands it to the subscribers of
 * its own channels. The relay does not look inside: it knows no channel, client or protocol.
 *
 * @param topic the channel topic as clients join it ({@code realtime:<name>})
 * @param privateChannel whether it went to the private channel of that name (a separate topic)
 * @param event the broadcast's event name
 * @param payload the user payload: JSON text when {@code json}, else raw bytes
 * @param binaryOrigin the client sent it as a binary frame (subscribers that can get it so do)
 */
public record PodBroadcast(String topic, boolean privateChannel, String event, byte[] payload, boolean json,
    boolean binaryOrigin) {

  public PodBroadcast {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(payload, "payload");
  }
}
