package dev.slipstream.runtime.relay;

/**
 * What the relay tells the pod's presence about the pods it is linked to. The relay carries
 * presence messages without reading them; the presence exchange on each pod decides what they say.
 * On the leader a link is a follower, named by its pod; on a follower the one link is the leader.
 * Every call comes on a relay event loop, in the order things happened there, and must not block.
 */
public interface PresenceListener {

  PresenceListener NONE = new PresenceListener() {
    @Override
    public void linked(String pod) {
    }

    @Override
    public void unlinked(String pod) {
    }

    @Override
    public void received(String pod, byte[] message) {
    }
  };

  /** The pod proved the secret and is linked: messages sent to it from now on reach it. */
  void linked(String pod);

  /** The link to the pod ended (closed, cut off, lost); messages to it are dropped until it links again. */
  void unlinked(String pod);

  /** A presence message the pod sent. */
  void received(String pod, byte[] message);
}
