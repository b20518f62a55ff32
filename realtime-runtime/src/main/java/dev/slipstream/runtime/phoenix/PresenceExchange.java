package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence across the tenant's pods: each topic's presence is the union of what every pod's
 * channels track. Changes travel as pods' broadcasts do, follower → leader → the other followers;
 * the leader's own go to every follower. A follower that links to the leader sends its whole state
 * (a sync) and is sent the leader's view: its own state and every other pod's it knows, then
 * {@code view}. Each pod keeps the others' presences in {@link PeerPresences} and tells its own
 * channels what changed in effect.
 *
 * <p><b>Pods that go away</b>: when the leader loses a follower's link (closed, cut off, silent for
 * three keepalive intervals), that pod's presences leave everywhere unless it links again and syncs
 * within the grace period; a follower that loses the leader gives every pod it knows the same
 * grace, and the new leader's view (which names the pods still there) settles it. So the presences
 * of a pod that dies leave within the grace after its link ends, or the leader's failover plus the
 * grace when the leader dies, and a pod that reconnects quickly causes no leave and no join.
 *
 * <p>Every event hops to the presence thread ({@link Topics#presenceExecutor}), which owns this
 * state and every topic's {@link Presence}: a follower's view and the changes after it leave in order.
 */
public final class PresenceExchange implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PresenceExchange.class);

  private final Topics topics;
  private final String self;
  private final PresenceOutbox outbox;
  private final long graceNanos;
  private final EventExecutor executor;
  private final PeerPresences peers = new PeerPresences();
  /** Owned by the presence thread: followers linked to this pod while it leads. */
  private final Set<String> followers = new HashSet<>();
  /** Owned by the presence thread: pods the leader's view named so far, while one is coming. */
  private Set<String> viewed;
  private final LongSupplier nanoTime;
  private ScheduledFuture<?> sweeper;

  /**
   * @param pod this pod's name, as its relay HELLO says it
   * @param grace how long a pod's presences outlive its link
   */
  public PresenceExchange(Topics topics, String pod, PresenceOutbox outbox, Duration grace) {
    this(topics, pod, outbox, grace, System::nanoTime);
    long sweep = Math.max(50, Math.min(1000, grace.toMillis() / 4));
    this.sweeper = executor.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
  }

  /** Without a sweeper, on a clock of the caller's: tests call {@link #sweep} themselves. */
  PresenceExchange(Topics topics, String pod, PresenceOutbox outbox, Duration grace, LongSupplier nanoTime) {
    this.topics = topics;
    this.self = pod;
    this.outbox = outbox;
    this.graceNanos = grace.toNanos();
    this.nanoTime = nanoTime;
    this.executor = topics.presenceExecutor();
    topics.exchange(this);
  }

  /** The largest presence message a pod sends, for the relay's frame limit. */
  public static int maxMessageBytes(int maxPresencePayloadBytes) {
    return PresenceMessages.maxMessageBytes(maxPresencePayloadBytes);
  }

  /** A follower linked to this pod, the leader: it is sent the view. */
  public void followerLinked(String pod) {
    run(() -> {
      followers.add(pod);
      sendView(pod);
    });
  }

  /** A follower's link ended: its presences leave unless it syncs again within the grace. */
  public void followerUnlinked(String pod) {
    run(() -> {
      followers.remove(pod);
      peers.expireAt(pod, nanoTime.getAsLong() + graceNanos);
    });
  }

  public void fromFollower(String pod, byte[] message) {
    run(() -> {
      if (followers.contains(pod)) {
        receive(message, pod);
      }
    });
  }

  /** This pod linked to the leader: it sends its whole state; the leader's view follows. */
  public void leaderLinked() {
    run(() -> {
      viewed = new HashSet<>();
      PresenceMessages.sync(self, localState()).forEach(outbox::toLeader);
    });
  }

  /** The link to the leader ended: every pod known gets the grace, until a leader's view names it. */
  public void leaderUnlinked() {
    run(() -> {
      viewed = null;
      long deadline = nanoTime.getAsLong() + graceNanos;
      peers.pods().forEach(pod -> peers.expireAt(pod, deadline));
    });
  }

  public void fromLeader(byte[] message) {
    run(() -> receive(message, null));
  }

  /** A change of this pod's own channels (on the presence thread): to the leader, or from it to every follower. */
  void localChanged(String topicKey, ObjectNode joins, ObjectNode leaves) {
    TopicPresenceDiff diff = new TopicPresenceDiff(topicKey, TopicPresenceDiff.fromClientForm(joins),
        TopicPresenceDiff.fromClientForm(leaves));
    if (diff.isEmpty()) {
      return;
    }
    for (byte[] message : PresenceMessages.diff(self, diff)) {
      outbox.toLeader(message);
      outbox.toFollowers(null, message);
    }
  }

  /** The other pods' metas in a topic (on the presence thread), for a channel's first state. */
  Map<String, List<ObjectNode>> remoteState(String topicKey) {
    return peers.state(topicKey);
  }

  /** @param follower the follower that sent it; null when the leader did */
  private void receive(byte[] bytes, String follower) {
    PresenceMessages.Message message;
    try {
      message = PresenceMessages.decode(bytes);
    } catch (IllegalArgumentException e) {
      log.warn("Ignored a presence message from {}: {}", follower == null ? "the leader" : follower, e.getMessage());
      return;
    }
    if (message.kind().equals(PresenceMessages.VIEW)) {
      if (follower == null && viewed != null) {
        for (String pod : peers.pods()) {
          if (!viewed.contains(pod)) {
            tell(pod, peers.remove(pod));
          }
        }
        viewed = null;
      }
      return;
    }
    // A follower speaks only for itself; the leader relays every pod but the receiver.
    String pod = follower != null ? follower : message.pod();
    if (pod.equals(self)) {
      return;
    }
    switch (message.kind()) {
      case PresenceMessages.DIFF -> tell(pod, List.of(peers.apply(pod, message.diff())));
      case PresenceMessages.BEGIN -> peers.begin(pod);
      case PresenceMessages.STATE -> peers.stage(pod, message.diff().topicKey(), message.diff().joins());
      case PresenceMessages.END -> {
        if (follower == null && viewed != null) {
          viewed.add(pod);
        }
        tell(pod, peers.end(pod));
      }
      default -> { }
    }
  }

  /** What changed of a pod's presences: to this pod's channels, and on to the followers but that pod. */
  private void tell(String pod, List<TopicPresenceDiff> diffs) {
    for (TopicPresenceDiff diff : diffs) {
      if (diff.isEmpty()) {
        continue;
      }
      topics.deliverPresence(diff.topicKey(), TopicPresenceDiff.clientForm(diff.joins()),
          TopicPresenceDiff.clientForm(diff.leaves()));
      for (byte[] message : PresenceMessages.diff(pod, diff)) {
        outbox.toFollowers(pod, message);
      }
    }
  }

  private void sendView(String follower) {
    Consumer<byte[]> to = message -> outbox.toFollower(follower, message);
    PresenceMessages.sync(self, localState()).forEach(to);
    for (String pod : peers.pods()) {
      if (!pod.equals(follower)) {
        PresenceMessages.sync(pod, peers.replica(pod)).forEach(to);
      }
    }
    to.accept(PresenceMessages.view());
  }

  private Map<String, Map<String, List<ObjectNode>>> localState() {
    Map<String, Map<String, List<ObjectNode>>> state = new LinkedHashMap<>();
    topics.forEachPresence((topicKey, presence) -> {
      Map<String, List<ObjectNode>> metas = presence.localState();
      if (!metas.isEmpty()) {
        state.put(topicKey, metas);
      }
    });
    return state;
  }

  /** Lets the presences of pods past their grace leave; on the presence thread. */
  void sweep() {
    for (String pod : peers.expired(nanoTime.getAsLong())) {
      log.info("Presences of pod {} left: its link ended and it did not come back within {} ms", pod,
          TimeUnit.NANOSECONDS.toMillis(graceNanos));
      tell(pod, peers.remove(pod));
    }
  }

  private void run(Runnable task) {
    try {
      executor.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("Presence across pods failed: {}", e.toString(), e);
        }
      });
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.cancel(false);
    }
  }
}
