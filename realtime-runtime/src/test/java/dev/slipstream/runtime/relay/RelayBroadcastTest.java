package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client broadcasts crossing pods over the relay: follower to leader to the other followers, once each. */
class RelayBroadcastTest {

  private final RelayHarness leader = new RelayHarness();
  private final List<PodBroadcast> atLeader = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    leader.close();
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  private static PodBroadcast broadcast(String text) {
    return new PodBroadcast("realtime:room", false, "shout", ("{\"text\":\"" + text + "\"}")
        .getBytes(StandardCharsets.UTF_8), true, false);
  }

  private Follower follower(String pod, List<PodBroadcast> received) {
    Follower follower = leader.follower(pod, StreamPoint.NONE);
    follower.client.onBroadcast(received::add);
    return follower;
  }

  private static List<String> texts(List<PodBroadcast> broadcasts) {
    return broadcasts.stream().map(b -> new String(b.payload(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void aFollowersBroadcastReachesTheLeaderAndEveryOtherFollowerOnceButNotItsOrigin() throws Exception {
    leader.server.onBroadcast(atLeader::add);
    List<PodBroadcast> atA = new CopyOnWriteArrayList<>();
    List<PodBroadcast> atB = new CopyOnWriteArrayList<>();
    List<PodBroadcast> atC = new CopyOnWriteArrayList<>();
    Follower a = follower("pod-a", atA);
    Follower b = follower("pod-b", atB);
    Follower c = follower("pod-c", atC);
    eventually().until(() -> a.client.connected() && b.client.connected() && c.client.connected()
        && leader.server.followers() == 3);

    PodBroadcast sent = new PodBroadcast("realtime:secret", true, "blob", new byte[] {1, 2, 3}, false, true);
    a.client.broadcast(sent, true, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS); // the leader has it
    assertThat(atLeader).hasSize(1);
    assertThat(atLeader.getFirst()).usingRecursiveComparison().isEqualTo(sent);
    eventually().until(() -> atB.size() == 1 && atC.size() == 1);
    assertThat(atB.getFirst()).usingRecursiveComparison().isEqualTo(sent);
    assertThat(atC.getFirst()).usingRecursiveComparison().isEqualTo(sent);

    // Without an acknowledgement asked for, in order; then one from the leader's own clients.
    for (int i = 0; i < 50; i++) {
      b.client.broadcast(broadcast("b" + i), false, Duration.ofSeconds(10));
    }
    leader.server.broadcast(broadcast("leader"));
    eventually().until(() -> atA.size() == 51 && atC.size() == 52 && atLeader.size() == 51 && atB.size() == 2);
    List<String> fromB = IntStream.range(0, 50).mapToObj(i -> "{\"text\":\"b" + i + "\"}").toList();
    // Each pod's broadcasts arrive in the order it sent them (the leader's own may come between).
    String fromLeader = "{\"text\":\"leader\"}";
    assertThat(texts(atA).stream().filter(t -> !t.equals(fromLeader)).toList()).isEqualTo(fromB);
    assertThat(texts(atA)).containsOnlyOnce(fromLeader);
    assertThat(texts(atC).subList(1, 52).stream().filter(t -> !t.equals(fromLeader)).toList()).isEqualTo(fromB);
    assertThat(texts(atC)).containsOnlyOnce(fromLeader);
    assertThat(texts(atLeader).subList(1, 51)).isEqualTo(fromB);
    assertThat(texts(atB).get(1)).as("b gets the leader's, never its own").isEqualTo("{\"text\":\"leader\"}");
    assertThat(atA).noneMatch(x -> x.topic().equals("realtime:secret"));
    assertThat(leader.registry.counter("slipstream.relay.broadcasts", "direction", "received").count()).isEqualTo(51);
    assertThat(a.registry.counter("slipstream.relay.broadcasts", "direction", "sent").count()).isEqualTo(1);
  }

  @Test
  void theLeadersBroadcastReachesItsOnlyFollower() {
    List<PodBroadcast> atA = new CopyOnWriteArrayList<>();
    Follower a = follower("pod-a", atA);
    eventually().until(() -> a.client.connected() && leader.server.followers() == 1);
    leader.server.broadcast(broadcast("leader"));
    eventually().until(() -> atA.size() == 1);
    assertThat(texts(atA)).containsExactly("{\"text\":\"leader\"}");
  }

  @Test
  void aBroadcastAsLargeAsTheTenantAllowsPassesTheLeadersInboundCap() throws Exception {
    leader.server.onBroadcast(atLeader::add);
    Follower a = follower("pod-a", new CopyOnWriteArrayList<>());
    eventually().until(() -> a.client.connected() && leader.server.followers() == 1);
    byte[] payload = new byte[(1 << 20) - 10];
    PodBroadcast large = new PodBroadcast("realtime:big", false, "blob", payload, false, true);

    a.client.broadcast(large, true, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);

    assertThat(atLeader).singleElement().satisfies(b -> assertThat(b.payload()).hasSize(payload.length));
    assertThat(a.client.connected()).isTrue();
    assertThat(leader.rejected(RelayMetrics.OVERSIZED_FRAME)).isZero();
  }

  @Test
  void aFollowerHoldsAtMostItsHighWaterMarkForALeaderThatDoesNotRead() throws Exception {
    Follower a = follower("pod-a", new CopyOnWriteArrayList<>());
    eventually().until(() -> a.client.connected() && leader.server.followers() == 1);
    leader.server.pauseReading();
    byte[] payload = new byte[1 << 20];
    Throwable refused = null;
    // The socket buffers take some megabytes; then the client's queue fills to its high water mark.
    for (int i = 0; i < 64 && refused == null; i++) {
      try {
        a.client.broadcast(new PodBroadcast("realtime:big", false, "blob", payload, false, true), false,
            Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        refused = e.getCause();
      }
    }
    assertThat(refused).as("a broadcast refused before 64 MiB were queued").isNotNull()
        .hasMessage("the leader's relay is not taking broadcasts as fast as they come");
    assertThat(a.registry.counter("slipstream.relay.broadcasts.failed", "reason", "backpressure").count())
        .isEqualTo(1);
  }

  @Test
  void withoutALeaderTheAcknowledgementFailsAtOnceSayingWhy() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    RelayBacklog backlog = leader.backlog(RelayBacklog.DEFAULT_MAX_BYTES);
    try (RelayClient lonely = new RelayClient(new InetSocketAddress("127.0.0.1", closedPort), "pod-x",
        RelayHarness.SECRET, new RecordingSink(), backlog, StreamPoint.NONE, lsn -> { }, new RelayMetrics(registry),
        RelayHarness.CLIENT).start()) {
      CompletableFuture<Void> result = lonely.broadcast(broadcast("hello"), true, Duration.ofSeconds(10));
      assertThat(result).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
          .havingCause().withMessage("no connection to the leader's relay");
      assertThat(registry.counter("slipstream.relay.broadcasts.failed", "reason", "no_leader").count()).isEqualTo(1);
    }
  }

  @Test
  void aBroadcastAwaitingItsAcknowledgementFailsWhenTheConnectionIsLost() throws Exception {
    Follower a = follower("pod-a", new CopyOnWriteArrayList<>());
    eventually().until(() -> a.client.connected() && leader.server.followers() == 1);
    // The leader's sink holds its loop until the follower's connection is gone: no ACK can be written first.
    CompletableFuture<Void> release = new CompletableFuture<>();
    leader.server.onBroadcast(b -> release.join());
    CompletableFuture<Void> result = a.client.broadcast(broadcast("lost"), true, Duration.ofSeconds(30));
    a.client.channel().close();
    assertThat(result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
        .havingCause().withMessageContaining("lost before it acknowledged");
    release.complete(null);
  }

  @Test
  void aBroadcastTheLeaderDoesNotAcknowledgeInTimeFailsSayingSo() {
    Follower a = follower("pod-a", new CopyOnWriteArrayList<>());
    eventually().until(() -> a.client.connected() && leader.server.followers() == 1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    leader.server.onBroadcast(b -> release.join()); // a leader too busy to answer
    try {
      CompletableFuture<Void> result = a.client.broadcast(broadcast("slow"), true, Duration.ofMillis(300));
      assertThat(result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
          .havingCause().withMessage("the leader did not acknowledge the broadcast within 300 ms");
      assertThat(a.registry.counter("slipstream.relay.broadcasts.failed", "reason", "ack_timeout").count())
          .isEqualTo(1);
    } finally {
      release.complete(null);
    }
  }
}
