package dev.slipstream.runtime.relay;

import static dev.slipstream.runtime.relay.RecordingSink.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import dev.slipstream.runtime.relay.Transactions.Transaction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A leader's relay and followers in one process: what each follower's sink is fed. */
class RelayStreamTest {

  private final Transactions transactions = new Transactions();
  private final List<RelayHarness> harnesses = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (RelayHarness harness : harnesses) {
      harness.close();
    }
  }

  private RelayHarness harness(long backlogBytes) {
    RelayHarness harness = new RelayHarness(backlogBytes, RelayHarness.settings(Duration.ofSeconds(10)));
    harnesses.add(harness);
    return harness;
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  private static void feed(RelayHarness leader, List<Transaction> sent) {
    sent.forEach(transaction -> transaction.feed(leader.backlog));
  }

  /**
   * A pod that starts with nothing is sent the leader's whole backlog, then the live stream: its
   * resume ring then reaches back as far as the leader's, so a client that moves to it during a
   * roll resumes instead of being told of a gap. The backlog starting at the slot's confirmed
   * position (a GAP to it in the welcome) is no gap for a follower that had nothing.
   */
  @Test
  void twoFollowersWithNothingGetTheLeadersBacklogThenEveryEventOnceAndInOrder() {
    RelayHarness leader = harness(RelayBacklog.DEFAULT_MAX_BYTES);
    List<Transaction> before = transactions.next(3, 2, 10);
    long confirmed = before.getFirst().commitLsn() - 0x10; // where the leader's stream began
    leader.backlog.streamStartsAt(confirmed, 0x7000_0000L);
    feed(leader, before);
    Follower a = leader.follower("pod-a", StreamPoint.NONE);
    Follower b = leader.follower("pod-b", StreamPoint.NONE);
    eventually().until(() -> a.client.connected() && b.client.connected());

    List<Transaction> after = new ArrayList<>(transactions.next(10, 3, 50));
    after.add(transactions.next(2000, 100)); // spans many chunks
    after.addAll(transactions.next(5, 1, 10));
    feed(leader, after);
    List<Transaction> all = new ArrayList<>(before);
    all.addAll(after);

    for (Follower follower : List.of(a, b)) {
      eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(all)));
      assertThat(follower.sink.starts()).containsExactly(RecordingSink.start(confirmed));
      assertThat(follower.client.problem()).isNull();
      assertThat(follower.client.fed()).isEqualTo(after.getLast().point());
      assertThat(follower.gaps).isEmpty();
    }
    assertThat(a.sink.events()).isEqualTo(all.stream().flatMap(t -> t.events().stream()).toList());
    assertThat(leader.server.followers()).isEqualTo(2);
    assertThat(leader.server.confirmable(after.getLast().endLsn())).isEqualTo(after.getLast().endLsn());
  }

  @Test
  void aFollowerThatReconnectsResumesWithoutDuplicatesEvenInsideATransaction() {
    RelayHarness leader = harness(RelayBacklog.DEFAULT_MAX_BYTES);
    Follower follower = leader.follower("pod-a", StreamPoint.NONE);
    eventually().until(follower.client::connected);
    List<Transaction> sent = new ArrayList<>(transactions.next(5, 2, 10));
    feed(leader, sent);
    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(sent)));

    follower.client.channel().close().syncUninterruptibly();
    List<Transaction> whileAway = transactions.next(5, 2, 10);
    feed(leader, whileAway);
    sent.addAll(whileAway);
    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(sent)));

    // Half a large transaction reaches the follower, then the connection drops, then it commits.
    Transaction big = transactions.next(2000, 100);
    big.events().subList(0, 1500).forEach(leader.backlog::accept);
    eventually().until(() -> follower.sink.events().size() > sent.stream().mapToInt(t -> t.events().size()).sum());
    follower.client.channel().close().syncUninterruptibly();
    big.events().subList(1500, 2000).forEach(leader.backlog::accept);
    leader.backlog.committed(big.endLsn());
    sent.add(big);

    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(sent)));
    assertThat(follower.sink.starts()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(follower.gaps).isEmpty();
  }

  @Test
  void aFollowerAheadOfTheLeaderDropsWhatItAlreadyHas() {
    RelayHarness leader = harness(RelayBacklog.DEFAULT_MAX_BYTES);
    List<Transaction> had = transactions.next(5, 2, 10);
    feed(leader, had.subList(0, 3)); // the new leader had less than the follower
    Follower follower = leader.follower("pod-a", had.getLast().point());
    eventually().until(follower.client::connected);

    feed(leader, had.subList(3, 5)); // resent by the slot: the follower has them
    List<Transaction> fresh = transactions.next(2, 2, 10);
    feed(leader, fresh);

    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(fresh)));
    assertThat(follower.sink.starts()).containsExactly(RecordingSink.start(had.getLast().endLsn()));
    assertThat(follower.gaps).isEmpty();
  }

  @Test
  void aFollowerBehindTheBacklogIsToldOfTheGapAndContinues() {
    RelayHarness leader = harness(4000);
    List<Transaction> sent = transactions.next(40, 2, 100);
    feed(leader, sent);
    int kept = leader.backlog.retainedTransactions();
    assertThat(kept).isLessThan(39);
    long floor = sent.get(sent.size() - kept - 1).endLsn();

    Follower follower = leader.follower("pod-a", sent.get(1).point());
    eventually().until(follower.client::connected);
    List<Transaction> later = transactions.next(2, 2, 10);
    feed(leader, later);

    List<String> expected = concat(Transactions.calls(sent.subList(sent.size() - kept, sent.size())),
        Transactions.calls(later));
    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(expected));
    assertThat(follower.gaps).containsExactly(floor);
    assertThat(follower.registry.counter("slipstream.relay.client.gaps").count()).isEqualTo(1);
  }

  @Test
  void theNewLeaderServesTheOthersFromItsOwnBacklog() {
    RelayHarness first = harness(RelayBacklog.DEFAULT_MAX_BYTES);
    Follower next = first.follower("pod-b", StreamPoint.NONE);
    Follower other = first.follower("pod-c", StreamPoint.NONE);
    eventually().until(() -> next.client.connected() && other.client.connected());
    List<Transaction> sent = new ArrayList<>(transactions.next(4, 3, 20));
    sent.add(transactions.next(1500, 100));
    feed(first, sent);
    eventually().untilAsserted(() -> assertThat(next.sink.stream()).isEqualTo(Transactions.calls(sent)));

    // Failover: the leader is gone; pod-b takes the lead and serves pod-c, which had less, from the
    // backlog it filled as a follower (the received frames, kept as they came).
    first.server.close();
    next.client.close();
    other.client.close();
    StreamPoint otherHad = sent.get(2).point();
    RecordingSink otherSink = new RecordingSink();
    RelayServer second = new RelayServer(RelayHarness.settings(Duration.ofSeconds(10)), RelayHarness.SECRET,
        next.backlog, new RelayMetrics(new SimpleMeterRegistry())).start();
    try (RelayBacklog otherBacklog = new RelayBacklog(1 << 20); RelayClient client = new RelayClient(
        new InetSocketAddress("127.0.0.1", second.port()), "pod-c", RelayHarness.SECRET, otherSink, otherBacklog,
        otherHad, lsn -> { }, new RelayMetrics(new SimpleMeterRegistry()), RelayHarness.CLIENT).start()) {
      eventually().until(client::connected);
      // pod-b's slot resumes where the old leader had confirmed: it resends what pod-b has.
      next.backlog.streamStartsAt(sent.get(2).endLsn(), 0);
      sent.subList(3, 5).forEach(transaction -> transaction.feed(next.backlog));
      List<Transaction> after = transactions.next(2, 2, 10);
      after.forEach(transaction -> transaction.feed(next.backlog));

      List<String> expected = concat(Transactions.calls(sent.subList(3, 5)), Transactions.calls(after));
      eventually().untilAsserted(() -> assertThat(otherSink.stream()).isEqualTo(expected));
      assertThat(otherSink.starts()).containsExactly(RecordingSink.start(sent.get(2).endLsn()));
    } finally {
      second.close();
    }
  }

  @Test
  void onceCloseReturnsTheSinkIsNeverCalledAgain() throws Exception {
    RelayHarness leader = harness(RelayBacklog.DEFAULT_MAX_BYTES);
    Follower closing = leader.follower("pod-a", StreamPoint.NONE);
    Follower witness = leader.follower("pod-b", StreamPoint.NONE);
    eventually().until(() -> closing.client.connected() && witness.client.connected());
    AtomicBoolean feeding = new AtomicBoolean(true);
    List<Transaction> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
      while (feeding.get()) { // in bursts the witness keeps up with: no runaway past the backlog
        for (int i = 0; i < 20; i++) {
          Transaction transaction = transactions.next(5, 20);
          transaction.feed(leader.backlog);
          sent.add(transaction);
        }
        eventually().until(() -> witness.client.fed().endLsn() == sent.getLast().endLsn());
      }
    });
    eventually().until(() -> closing.sink.size() > 100);

    closing.client.close();
    int afterClose = closing.sink.size();
    int witnessed = witness.sink.size();
    eventually().until(() -> witness.sink.size() > witnessed + 300);
    feeding.set(false);
    feeder.join();

    assertThat(closing.sink.size()).isEqualTo(afterClose);
    assertThat(closing.client.connected()).isFalse();
    eventually().untilAsserted(() -> assertThat(witness.sink.stream()).isEqualTo(Transactions.calls(sent)));
  }
}
