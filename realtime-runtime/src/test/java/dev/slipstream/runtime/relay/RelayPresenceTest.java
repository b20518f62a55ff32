package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Presence messages over the relay: carried as they are, both ways, with each end told when a
 * link starts and ends; a follower that stops answering keepalives is cut off, so its presences
 * do not outlive it by more than the grace.
 */
class RelayPresenceTest {

  private final RelayHarness leader = new RelayHarness();
  private final Recorder atLeader = new Recorder();

  @AfterEach
  void close() throws Exception {
    leader.close();
  }

  /** What a pod's presence heard: links, unlinks and messages, as "linked pod", "unlinked pod", "pod: text". */
  private static final class Recorder implements PresenceListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void linked(String pod) {
      events.add("linked " + pod);
    }

    @Override
    public void unlinked(String pod) {
      events.add("unlinked " + pod);
    }

    @Override
    public void received(String pod, byte[] message) {
      events.add(pod + ": " + new String(message, StandardCharsets.UTF_8));
    }

    List<String> messages() {
      return events.stream().filter(e -> e.contains(": ")).toList();
    }
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  private static byte[] text(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void messagesCrossBothWaysAndEachEndHearsOfItsLinks() {
    leader.server.onPresence(atLeader, 64 * 1024);
    Recorder atA = new Recorder();
    Recorder atB = new Recorder();
    Follower a = leader.follower("pod-a", atA);
    Follower b = leader.follower("pod-b", atB);
    eventually().until(() -> atLeader.events.containsAll(List.of("linked pod-a", "linked pod-b"))
        && atA.events.size() == 1 && atB.events.size() == 1);
    String leaderName = "127.0.0.1:" + leader.server.port();
    assertThat(atA.events).containsExactly("linked " + leaderName);

    a.client.sendPresence(text("from a 1"));
    a.client.sendPresence(text("from a 2"));
    eventually().until(() -> atLeader.messages().size() == 2);
    assertThat(atLeader.messages()).containsExactly("pod-a: from a 1", "pod-a: from a 2");

    leader.server.sendPresence("pod-b", text("to b"));
    leader.server.sendPresenceToAll("pod-a", text("to all but a"));
    leader.server.sendPresenceToAll(null, text("to all"));
    eventually().until(() -> atB.messages().size() == 3 && atA.messages().size() == 1);
    assertThat(atB.messages()).containsExactly(leaderName + ": to b", leaderName + ": to all but a",
        leaderName + ": to all");
    assertThat(atA.messages()).containsExactly(leaderName + ": to all");

    a.client.close();
    eventually().until(() -> atLeader.events.contains("unlinked pod-a"));
    assertThat(atA.events).endsWith("unlinked " + leaderName);
    leader.server.sendPresence("pod-a", text("dropped"));
    leader.server.sendPresenceToAll(null, text("to b only"));
    eventually().until(() -> atB.messages().size() == 4);
    assertThat(atB.events).doesNotContain("unlinked " + leaderName);
  }

  @Test
  void aMessageAsLargeAsTheExchangeAllowsPassesTheLeadersInboundCap() {
    int limit = 200_000;
    leader.server.onPresence(atLeader, limit);
    Recorder atA = new Recorder();
    Follower a = leader.follower("pod-a", atA);
    eventually().until(() -> atLeader.events.contains("linked pod-a") && !atA.events.isEmpty());
    a.client.sendPresence(new byte[limit]);
    eventually().until(() -> atLeader.messages().size() == 1);
    assertThat(a.client.connected()).isTrue();
    assertThat(leader.rejected(RelayMetrics.OVERSIZED_FRAME)).isZero();
  }

  @Test
  void aFollowerThatStopsAnsweringIsCutOffAsSilent() {
    leader.server.onPresence(atLeader, 64 * 1024);
    Follower a = leader.follower("pod-a", new Recorder());
    eventually().until(() -> atLeader.events.contains("linked pod-a"));
    a.pause(); // reads nothing, so answers no keepalive: as a pod whose node vanished
    eventually().until(() -> atLeader.events.contains("unlinked pod-a"));
    assertThat(leader.cutOff(RelayMetrics.SILENT)).isEqualTo(1);
  }
}
