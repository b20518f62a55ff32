package dev.slipstream.runtime.phoenix;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a client's broadcast goes beyond this runtime: the tenant's other pods (through the
 * leader's relay). A runtime on its own has none ({@link #NONE}).
 */
@FunctionalInterface
public interface PeerBroadcasts {

  /** A runtime on its own: nothing to send to, every send done at once. */
  PeerBroadcasts NONE = (topic, privateChannel, event, payload, json, binaryOrigin, acknowledged) ->
      CompletableFuture.completedFuture(null);

  /**
   * Sends one client broadcast, already delivered to this runtime's own channels, to the other
   * pods. The result completes when the leader has it and fails, its message saying why, when it
   * does not (no leader connected, no acknowledgement in time); {@code acknowledged} says the client
   * waits for that answer. Must not block.
   */
  CompletionStage<Void> publish(String topic, boolean privateChannel, String event, byte[] payload, boolean json,
      boolean binaryOrigin, boolean acknowledged);
}
