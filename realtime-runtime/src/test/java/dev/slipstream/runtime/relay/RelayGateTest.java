package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import dev.slipstream.runtime.relay.Transactions.Transaction;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Acknowledgements gate what the leader may confirm; a follower that lags is cut off and catches up. */
class RelayGateTest {

  private final Transactions transactions = new Transactions();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private RelayHarness harness(RelayServer.Settings settings) {
    RelayHarness harness = new RelayHarness(RelayBacklog.DEFAULT_MAX_BYTES, settings);
    closeables.add(harness);
    return harness;
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  private static void feed(RelayHarness leader, List<Transaction> sent) {
    sent.forEach(transaction -> transaction.feed(leader.backlog));
  }

  @Test
  void withoutFollowersTheLeaderConfirmsWhatItCommitted() throws IOException {
    RelayHarness leader = harness(RelayHarness.settings(Duration.ofSeconds(10)));
    assertThat(leader.server.confirmable(0x1234)).isEqualTo(0x1234);
    // A connection that has not proved the secret is no follower: it holds nothing back.
    try (Socket silent = new Socket("127.0.0.1", leader.server.port())) {
      silent.getInputStream().readNBytes(Frames.HEADER_BYTES + 2 + Frames.NONCE_BYTES);
      assertThat(leader.server.confirmable(0x1234)).isEqualTo(0x1234);
    }
  }

  @Test
  void confirmableFollowsTheSlowestConnectedFollower() {
    // Keepalives every 3 s: the paused follower would time out by itself only after 15 s.
    RelayHarness leader = harness(new RelayServer.Settings("127.0.0.1", 0,
        RelayServer.Settings.DEFAULT_MAX_UNACKED_BYTES, Duration.ofSeconds(60), Duration.ofSeconds(5),
        Duration.ofSeconds(3), 64));
    AtomicInteger advanced = new AtomicInteger();
    leader.server.onAcksAdvanced(advanced::incrementAndGet);
    Follower a = leader.follower("pod-a", StreamPoint.NONE);
    Follower b = leader.follower("pod-b", StreamPoint.NONE);
    eventually().until(() -> leader.server.followers() == 2);
    assertThat(leader.registry.get("slipstream.relay.followers").gauge().value()).isEqualTo(2);
    eventually().until(() -> a.registry.get("slipstream.relay.client.connected").gauge().value() == 1);
    List<Transaction> first = transactions.next(3, 2, 10);
    feed(leader, first);
    long firstEnd = first.getLast().endLsn();
    eventually().until(() -> leader.server.confirmable(firstEnd) == firstEnd);
    assertThat(advanced).hasPositiveValue();

    b.pause();
    Transaction second = transactions.next(2);
    second.feed(leader.backlog);
    eventually().until(() -> a.client.fed().endLsn() == second.endLsn());
    // The paused follower has not read it: the leader must not confirm it yet, however long it waits.
    assertThat(leader.server.confirmable(second.endLsn())).isEqualTo(firstEnd);
    assertThat(leader.server.confirmable(firstEnd - 1)).isEqualTo(firstEnd - 1);

    int before = advanced.get();
    b.resume();
    eventually().until(() -> leader.server.confirmable(second.endLsn()) == second.endLsn());
    assertThat(advanced.get()).isGreaterThan(before);
  }

  @Test
  void aFollowerThatStopsReadingIsCutOffLeavesTheGateAndCatchesUpLater() {
    RelayHarness leader = harness(RelayHarness.settings(Duration.ofSeconds(1)));
    Follower a = leader.follower("pod-a", StreamPoint.NONE);
    Follower b = leader.follower("pod-b", StreamPoint.NONE);
    eventually().until(() -> leader.server.followers() == 2);
    List<Transaction> sent = new ArrayList<>(transactions.next(3, 2, 10));
    feed(leader, sent);
    eventually().untilAsserted(() -> assertThat(b.sink.stream()).isEqualTo(Transactions.calls(sent)));

    try (LogCapture logs = new LogCapture()) {
      b.pause();
      List<Transaction> more = transactions.next(3, 2, 10);
      feed(leader, more);
      sent.addAll(more);

      eventually().until(() -> leader.cutOff(RelayMetrics.ACK_TIMEOUT) >= 1);
      long last = sent.getLast().endLsn();
      eventually().until(() -> leader.server.confirmable(last) == last);
      assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
          .matches("WARN Relay follower pod-b \\(.*\\) cut off \\(ack_timeout\\): LSN \\S+ unacknowledged after \\d+ ms"));
      assertThat(logs.lines()).filteredOn(line -> line.contains("cut off")).allSatisfy(line ->
          assertThat(line).doesNotContain("[with stack trace]"));
    }

    b.resume();
    Transaction after = transactions.next(1);
    after.feed(leader.backlog);
    sent.add(after);
    eventually().untilAsserted(() -> assertThat(b.sink.stream()).isEqualTo(Transactions.calls(sent)));
    eventually().untilAsserted(() -> assertThat(a.sink.stream()).isEqualTo(Transactions.calls(sent)));
    eventually().until(() -> leader.server.followers() == 2);
  }

  @Test
  void tooManyUnacknowledgedBytesCutAFollowerOff() {
    RelayServer.Settings tight = new RelayServer.Settings("127.0.0.1", 0, 256 * 1024, Duration.ofSeconds(30),
        Duration.ofSeconds(5), Duration.ofSeconds(1), 64);
    RelayHarness leader = new RelayHarness(128 * 1024, tight);
    closeables.add(leader);
    Follower b = leader.follower("pod-b", StreamPoint.NONE);
    eventually().until(() -> leader.server.followers() == 1);

    b.pause();
    // Far more than the socket buffers hold: most of it waits in the leader's queue for the follower.
    List<Transaction> sent = transactions.next(200, 50, 1000);
    feed(leader, sent);

    eventually().until(() -> leader.cutOff(RelayMetrics.UNACKED_BYTES) == 1);
    assertThat(leader.server.followers()).isZero();
    assertThat(leader.server.confirmable(sent.getLast().endLsn())).isEqualTo(sent.getLast().endLsn());

    // It reads again, takes what reached it, reconnects, is told of the gap, and follows on.
    b.resume();
    eventually().until(() -> !b.gaps.isEmpty() && leader.server.followers() == 1);
    Transaction after = transactions.next(1);
    after.feed(leader.backlog);
    eventually().untilAsserted(() -> assertThat(b.sink.stream()).endsWith(
        Transactions.calls(List.of(after)).toArray(String[]::new)));
    assertThat(b.sink.stream()).doesNotHaveDuplicates();
  }

  @Test
  void theBoundOnUnacknowledgedBytesMustExceedTheBacklog() {
    RelayServer.Settings tight = new RelayServer.Settings("127.0.0.1", 0, 1 << 20, Duration.ofSeconds(30),
        Duration.ofSeconds(5), Duration.ofMillis(200), 64);
    try (RelayBacklog backlog = new RelayBacklog(2 << 20)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RelayServer(tight, RelayHarness.SECRET, backlog,
          new RelayMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must exceed the backlog's size");
    }
  }
}
