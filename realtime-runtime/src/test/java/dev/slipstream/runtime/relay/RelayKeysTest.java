package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import dev.slipstream.runtime.relay.Transactions.Transaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pods holding the tenant's relay key and the database password (preferred in that order) and pods
 * holding only one of them: who follows whom. The relay key is what lets pods with different
 * database passwords follow each other (a rotation); the password, what lets pods of the version
 * before the relay key and pods of this one follow each other (the upgrade).
 */
class RelayKeysTest {

  private static final byte[] RELAY_KEY = "q3Jm0c8vYk2dX1pR7sT4uV6wZ9aB5eH0iL3nO8gK2fM=".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OLD_PASSWORD = "Old-Password-1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NEW_PASSWORD = "New-Password-2".getBytes(StandardCharsets.UTF_8);

  private final Transactions transactions = new Transactions();
  private final List<RelayHarness> leaders = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (RelayHarness leader : leaders) {
      leader.close();
    }
  }

  private RelayHarness leader(byte[]... secrets) {
    RelayHarness leader = new RelayHarness(List.of(secrets));
    leaders.add(leader);
    leader.backlog.streamStartsAt(0, 0x7000_0000L);
    return leader;
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  @Test
  void aRotatedPasswordStillFollowsALeaderWithTheSameRelayKey() {
    RelayHarness leader = leader(RELAY_KEY, OLD_PASSWORD);
    Follower rotated = leader.follower("pod-new", List.of(RELAY_KEY, NEW_PASSWORD));

    eventually().until(rotated.client::connected);
    assertStreams(leader, rotated);
    assertThat(leader.rejected(RelayMetrics.BAD_SECRET)).as("the relay key is proved first").isZero();
  }

  @Test
  void duringTheUpgradeBothVersionsFollowEachOtherThroughTheDatabasePassword() {
    RelayHarness oldLeader = leader(OLD_PASSWORD);
    Follower upgraded = oldLeader.follower("pod-upgraded", List.of(RELAY_KEY, OLD_PASSWORD));
    eventually().until(upgraded.client::connected);
    assertStreams(oldLeader, upgraded);
    assertThat(oldLeader.rejected(RelayMetrics.BAD_SECRET)).as("the relay key, refused once per pod").isPositive();

    RelayHarness newLeader = leader(RELAY_KEY, OLD_PASSWORD);
    Follower notUpgraded = newLeader.follower("pod-old", List.of(OLD_PASSWORD));
    eventually().until(notUpgraded.client::connected);
    assertStreams(newLeader, notUpgraded);
  }

  @Test
  void neitherSecretHeldIsRefused() {
    RelayHarness leader = leader(RELAY_KEY, OLD_PASSWORD);
    Follower stranger = leader.follower("pod-x", List.of("another-key".getBytes(StandardCharsets.UTF_8),
        NEW_PASSWORD));

    eventually().until(() -> leader.rejected(RelayMetrics.BAD_SECRET) >= 2);
    assertThat(stranger.client.connected()).isFalse();
    assertThat(stranger.client.problem()).isEqualTo("the leader's relay refused this pod's secret");
    assertThat(leader.server.followers()).isZero();
  }

  private void assertStreams(RelayHarness leader, Follower follower) {
    List<Transaction> sent = transactions.next(5, 2, 10);
    sent.forEach(transaction -> transaction.feed(leader.backlog));
    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(sent)));
  }
}
