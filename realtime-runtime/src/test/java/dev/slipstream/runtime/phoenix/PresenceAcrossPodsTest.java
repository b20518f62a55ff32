package dev.slipstream.runtime.phoenix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Presence across the pods of a tenant, three {@link PresenceExchange}s joined by an in-memory
 * relay that behaves as the real one: messages of a link arrive in order and only while it stands,
 * a link's two ends learn of it before any message on it, and a pod's own changes go to the leader
 * (a follower) or to every follower (the leader). Clients are Phoenix sockets on each pod. The
 * relay's own tests and CrossPodIT cover the wire and real processes; this covers what the
 * exchange decides, with time under the test's control.
 */
class PresenceAcrossPodsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final String ROOM = "realtime:room";

  private final AtomicLong now = new AtomicLong();
  private final Relay relay = new Relay();
  private final Pod leader = new Pod("pod-a");
  private final Pod one = new Pod("pod-b");
  private final Pod two = new Pod("pod-c");

  {
    relay.lead(leader);
  }
  private final List<EmbeddedChannel> sockets = new ArrayList<>();

  @AfterEach
  void close() {
    sockets.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  @Test
  void eachPodsClientsSeeTheUnionOfEveryPodsPresencesAndTheirChanges() {
    relay.link(one);
    relay.link(two);
    EmbeddedChannel alice = member(leader, "alice");
    EmbeddedChannel bob = member(one, "bob");
    EmbeddedChannel carol = member(two, "carol");
    track(alice, "{\"on\":\"a\"}");
    track(bob, "{\"on\":\"b\"}");
    track(carol, "{\"on\":\"c\"}");
    relay.deliver();

    for (EmbeddedChannel socket : List.of(alice, bob, carol)) {
      assertThat(seen(socket)).as("what each client was told, from diffs")
          .isEqualTo(Map.of("alice", List.of("a"), "bob", List.of("b"), "carol", List.of("c")));
    }
    // A client joining later, on a follower, gets the whole union in its first state.
    EmbeddedChannel dave = member(two, "dave");
    assertThat(seen(dave)).containsOnlyKeys("alice", "bob", "carol");

    // A leave on one follower reaches the other follower through the leader, once.
    untrack(bob);
    relay.deliver();
    assertThat(seen(carol)).containsOnlyKeys("alice", "carol");
    assertThat(seen(alice)).containsOnlyKeys("alice", "carol");
    // The same key on two pods: two metas with distinct refs, as with two tabs of one user.
    EmbeddedChannel alice2 = member(two, "alice");
    track(alice2, "{\"on\":\"c\"}");
    relay.deliver();
    assertThat(seen(bob).get("alice")).containsExactlyInAnyOrder("a", "c");
    assertThat(refs(bob, "alice")).hasSize(2);
  }

  @Test
  void aFollowerLinkingLateSendsWhatItHasAndGetsTheLeadersView() {
    relay.link(one);
    EmbeddedChannel alice = member(leader, "alice");
    EmbeddedChannel bob = member(one, "bob");
    track(alice, "{}");
    track(bob, "{}");
    EmbeddedChannel carol = member(two, "carol");
    track(carol, "{}");
    relay.deliver();
    assertThat(seen(carol)).as("unlinked: only its own pod").containsOnlyKeys("carol");
    assertThat(seen(alice)).containsOnlyKeys("alice", "bob");

    relay.link(two);
    relay.deliver();
    assertThat(seen(carol)).containsOnlyKeys("alice", "bob", "carol");
    assertThat(seen(alice)).containsOnlyKeys("alice", "bob", "carol");
    assertThat(seen(bob)).containsOnlyKeys("alice", "bob", "carol");
  }

  @Test
  void aFollowersPresencesLeaveWhenItsLinkIsGoneForTheGraceAndStayWhenItComesBackInTime() {
    relay.link(one);
    relay.link(two);
    EmbeddedChannel alice = member(leader, "alice");
    EmbeddedChannel bob = member(one, "bob");
    EmbeddedChannel carol = member(two, "carol");
    track(bob, "{}");
    track(carol, "{}");
    relay.deliver();
    read(alice);
    read(carol);

    // A blip: the link drops and comes back within the grace. Nobody sees a leave or a join.
    relay.unlink(one);
    now.addAndGet(GRACE.toNanos() / 2);
    sweepAll();
    relay.link(one);
    relay.deliver();
    now.addAndGet(GRACE.toNanos());
    sweepAll();
    assertThat(diffs(alice)).as("no presence_diff for a pod that came back in time").isEmpty();
    assertThat(diffs(carol)).isEmpty();
    assertThat(seen(alice)).containsOnlyKeys("bob", "carol");

    // The pod dies: after the grace, its presence leaves on the leader and, through it, the other follower.
    relay.unlink(one);
    now.addAndGet(GRACE.toNanos() - 1);
    sweepAll();
    assertThat(diffs(alice)).isEmpty();
    now.addAndGet(1);
    sweepAll();
    relay.deliver();
    assertThat(seen(alice)).containsOnlyKeys("carol");
    assertThat(seen(carol)).containsOnlyKeys("carol");
  }

  @Test
  void whenTheLeaderDiesTheNewLeadersViewSettlesWhoIsLeft() {
    relay.link(one);
    relay.link(two);
    EmbeddedChannel alice = member(leader, "alice");
    EmbeddedChannel bob = member(one, "bob");
    EmbeddedChannel carol = member(two, "carol");
    track(alice, "{}");
    track(bob, "{}");
    track(carol, "{}");
    relay.deliver();

    // pod-a dies; pod-b leads; pod-c follows it. pod-b still holds pod-a's presences within the grace,
    // so pod-c's view names pod-a too, and nothing flickers.
    relay.unlink(one);
    relay.unlink(two);
    relay.lead(one);
    relay.link(two);
    relay.deliver();
    read(carol);
    read(bob);
    assertThat(seen(carol)).containsOnlyKeys("alice", "bob", "carol");

    now.addAndGet(GRACE.toNanos());
    sweepAll();
    relay.deliver();
    assertThat(seen(bob)).as("the dead leader's presence left on the new leader").containsOnlyKeys("bob", "carol");
    assertThat(seen(carol)).as("and on its follower").containsOnlyKeys("bob", "carol");
  }

  @Test
  void aViewLeavesOutPodsTheLeaderNoLongerKnows() {
    relay.link(one);
    relay.link(two);
    EmbeddedChannel bob = member(one, "bob");
    EmbeddedChannel carol = member(two, "carol");
    track(carol, "{}");
    relay.deliver();
    assertThat(seen(bob)).containsOnlyKeys("carol");

    // pod-b loses the leader while pod-c leaves for good; when pod-b is back, the view lacks pod-c.
    relay.unlink(one);
    relay.unlink(two);
    now.addAndGet(GRACE.toNanos());
    sweepAll();
    relay.deliver();
    relay.link(one);
    relay.deliver();
    assertThat(seen(bob)).isEmpty();
  }

  // ---- pods and the relay between them ----

  /** One runtime: its channels, and its exchange sending through {@link #relay}. */
  private final class Pod {
    final String name;
    final TestChannels channels = TestChannels.open();
    final PresenceExchange exchange;

    Pod(String name) {
      this.name = name;
      this.exchange = new PresenceExchange(channels.topics, name, relay.outbox(this), GRACE, now::get);
    }
  }

  /**
   * The leader's relay, in memory: one queue per direction of each link, delivered on
   * {@link #deliver}; unlinking drops what is queued, as a closed connection does.
   */
  private final class Relay {
    private Pod lead;
    private final Set<Pod> followers = new HashSet<>();
    private final Map<String, Queue<Runnable>> queues = new LinkedHashMap<>();

    PresenceOutbox outbox(Pod from) {
      return new PresenceOutbox() {
        @Override
        public void toLeader(byte[] message) {
          if (followers.contains(from)) {
            queue(from.name + ">").add(() -> lead.exchange.fromFollower(from.name, message));
          }
        }

        @Override
        public void toFollower(String pod, byte[] message) {
          if (from == lead) {
            followers.stream().filter(f -> f.name.equals(pod)).forEach(f -> send(f, message));
          }
        }

        @Override
        public void toFollowers(String exceptPod, byte[] message) {
          if (from == lead) {
            followers.stream().filter(f -> !f.name.equals(exceptPod)).forEach(f -> send(f, message));
          }
        }
      };
    }

    private void send(Pod follower, byte[] message) {
      queue(follower.name + "<").add(() -> follower.exchange.fromLeader(message));
    }

    private Queue<Runnable> queue(String name) {
      return queues.computeIfAbsent(name, k -> new ArrayDeque<>());
    }

    void lead(Pod pod) {
      lead = pod;
    }

    /** As the real relay: the leader's end learns of the link at HELLO, the follower's at WELCOME. */
    void link(Pod follower) {
      followers.add(follower);
      lead.exchange.followerLinked(follower.name);
      follower.exchange.leaderLinked();
    }

    void unlink(Pod follower) {
      followers.remove(follower);
      queues.remove(follower.name + ">");
      queues.remove(follower.name + "<");
      lead.exchange.followerUnlinked(follower.name);
      follower.exchange.leaderUnlinked();
    }

    void deliver() {
      boolean any = true;
      while (any) {
        any = false;
        for (Queue<Runnable> queue : new ArrayList<>(queues.values())) {
          Runnable next = queue.poll();
          if (next != null) {
            next.run();
            any = true;
          }
        }
      }
    }
  }

  private void sweepAll() {
    for (Pod pod : List.of(leader, one, two)) {
      pod.exchange.sweep();
    }
  }

  // ---- clients ----

  /** A socket on the pod joined to the room with a presence key; its messages are read by {@link #seen}. */
  private EmbeddedChannel member(Pod pod, String key) {
    EmbeddedChannel socket = pod.channels.socket(PhoenixSerializer.V2);
    sockets.add(socket);
    socket.writeInbound(new TextWebSocketFrame("[\"1\",\"1\",\"" + ROOM + "\",\"phx_join\",{\"config\":"
        + "{\"presence\":{\"key\":\"" + key + "\",\"enabled\":true}}}]"));
    return socket;
  }

  private static void track(EmbeddedChannel socket, String payload) {
    socket.writeInbound(new TextWebSocketFrame("[\"1\",\"2\",\"" + ROOM + "\",\"presence\",{\"type\":\"presence\","
        + "\"event\":\"track\",\"payload\":" + payload + "}]"));
  }

  private static void untrack(EmbeddedChannel socket) {
    socket.writeInbound(new TextWebSocketFrame("[\"1\",\"3\",\"" + ROOM + "\",\"presence\",{\"type\":\"presence\","
        + "\"event\":\"untrack\"}]"));
  }

  /** Every message the socket was sent since last asked. */
  private static List<JsonNode> drain(EmbeddedChannel socket) {
    socket.runPendingTasks();
    List<JsonNode> messages = new ArrayList<>();
    Object message;
    while ((message = socket.readOutbound()) != null) {
      try {
        messages.add(JSON.readTree(message instanceof TextWebSocketFrame text ? text.text() : rawText((ByteBuf) message)));
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        io.netty.util.ReferenceCountUtil.release(message);
      }
    }
    return messages;
  }

  /** A pre-framed text frame as the server writes it: opcode, length, then the JSON. */
  private static String rawText(ByteBuf frame) {
    assertThat(frame.readUnsignedByte()).isEqualTo((short) 0x81);
    int length = frame.readUnsignedByte();
    if (length == 126) {
      frame.readUnsignedShort();
    } else if (length == 127) {
      frame.readLong();
    }
    return frame.toString(StandardCharsets.UTF_8);
  }

  private final Map<EmbeddedChannel, Map<String, Map<String, JsonNode>>> states = new LinkedHashMap<>();

  /** The socket's presence as realtime-js would hold it: its state, then every diff applied; key -> "on" values. */
  private Map<String, List<String>> seen(EmbeddedChannel socket) {
    Map<String, Map<String, JsonNode>> state = applied(socket);
    Map<String, List<String>> out = new LinkedHashMap<>();
    new TreeSet<>(state.keySet()).forEach(key -> out.put(key, state.get(key).values().stream()
        .map(meta -> meta.path("on").asText("")).toList()));
    return out;
  }

  private List<String> refs(EmbeddedChannel socket, String key) {
    return List.copyOf(applied(socket).get(key).keySet());
  }

  private Map<String, Map<String, JsonNode>> applied(EmbeddedChannel socket) {
    read(socket);
    return states.get(socket);
  }

  /** Applies what the socket was sent since last asked to its state; returns the presence_diff messages among it. */
  private List<JsonNode> read(EmbeddedChannel socket) {
    Map<String, Map<String, JsonNode>> state = states.computeIfAbsent(socket, s -> new LinkedHashMap<>());
    List<JsonNode> diffs = new ArrayList<>();
    for (JsonNode message : drain(socket)) {
      String event = message.get(3).asText();
      if (event.equals("presence_state")) {
        state.clear();
        add(state, message.get(4));
      } else if (event.equals("presence_diff")) {
        diffs.add(message);
        message.get(4).get("leaves").properties().forEach(entry -> entry.getValue().get("metas").forEach(meta -> {
          Map<String, JsonNode> metas = state.get(entry.getKey());
          if (metas != null) {
            metas.remove(meta.get("phx_ref").asText());
            if (metas.isEmpty()) {
              state.remove(entry.getKey());
            }
          }
        }));
        add(state, message.get(4).get("joins"));
      }
    }
    return diffs;
  }

  private static void add(Map<String, Map<String, JsonNode>> state, JsonNode byKey) {
    byKey.properties().forEach(entry -> entry.getValue().get("metas").forEach(meta ->
        state.computeIfAbsent(entry.getKey(), k -> new LinkedHashMap<>()).put(meta.get("phx_ref").asText(), meta)));
  }

  /** The presence_diff messages the socket was sent since last asked (applied to its state). */
  private List<JsonNode> diffs(EmbeddedChannel socket) {
    return read(socket);
  }
}
