package dev.slipstream.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodReportsTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final PodReports.PodState READY = new PodReports.PodState(true);
  private static final PodReports.PodState STARTING = new PodReports.PodState(false);

  @Test
  void sumsTheClientsOfLivePodsAndNamesTheLeader() {
    PodReports reports = PodReports.of(List.of(entry("a", 100, "Leader", 2), entry("b", 250, "Follower", 1)),
        Map.of("a", READY, "b", READY), NOW, TIMEOUT);

    assertThat(reports.connectedClients()).isEqualTo(350);
    assertThat(reports.leader()).contains("a");
    assertThat(reports.removals()).isEmpty();
    assertThat(reports.unreported()).isEmpty();
    assertThat(reports.nextExpiry()).isEqualTo(NOW.minusSeconds(2).plus(TIMEOUT));
  }

  @Test
  void theEntryOfAGonePodIsRemovedAndItsClientsNoLongerCount() {
    PodReports reports = PodReports.of(List.of(entry("a", 100, "Leader", 1), entry("dead", 900, "Follower", 1)),
        Map.of("a", READY), NOW, TIMEOUT);

    assertThat(reports.connectedClients()).isEqualTo(100);
    assertThat(reports.removals()).containsExactly(
        new PodReports.Removal(1, "dead", NOW.minusSeconds(1).toString(), PodReports.Gone.POD_GONE));
  }

  @Test
  void anEntryOlderThanTheTimeoutIsRemovedThoughItsPodLives() {
    PodReports reports = PodReports.of(List.of(entry("hung", 500, "Follower", 16), entry("a", 1, "Leader", 15)),
        Map.of("hung", READY, "a", READY), NOW, TIMEOUT);

    assertThat(reports.removals()).extracting(PodReports.Removal::name, PodReports.Removal::why)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("hung", PodReports.Gone.SILENT));
    assertThat(reports.connectedClients()).isEqualTo(1);
    // Its pod is ready and silent: the clients are a lower bound now.
    assertThat(reports.unreported()).containsExactly("hung");
  }

  @Test
  void severalLeadersAreResolvedToTheMostRecentReport() {
    PodReports reports = PodReports.of(List.of(entry("old", 1, "Leader", 9), entry("new", 1, "Leader", 1),
        entry("f", 1, "Follower", 1)), Map.of("old", READY, "new", READY, "f", READY), NOW, TIMEOUT);

    assertThat(reports.leaderClaims()).extracting(RuntimePodStatus::getName).containsExactly("new", "old");
    assertThat(reports.leader()).contains("new");
  }

  @Test
  void noLeaderWhileNobodyClaimsIt() {
    PodReports reports = PodReports.of(List.of(entry("f", 1, "Follower", 1)), Map.of("f", READY), NOW, TIMEOUT);

    assertThat(reports.leader()).isEmpty();
  }

  @Test
  void onlyReadyPodsOweAReport() {
    PodReports reports = PodReports.of(List.of(entry("a", 5, "Leader", 1)),
        Map.of("a", READY, "starting", STARTING, "silent", READY), NOW, TIMEOUT);

    assertThat(reports.unreported()).containsExactly("silent");
  }

  @Test
  void anEntryWithoutATimeCountsWhileItsPodLives() {
    RuntimePodStatus undated = entry("a", 7, "Leader", 0);
    undated.setReportedAt(null);

    PodReports reports = PodReports.of(List.of(undated), Map.of("a", READY), NOW, TIMEOUT);
    assertThat(reports.connectedClients()).isEqualTo(7);
    assertThat(reports.nextExpiry()).isNull();
  }

  @Test
  void removalsAreGuardedByNameAndTimeFromTheHighestIndexDown() {
    List<PodReports.Removal> removals = List.of(new PodReports.Removal(0, "a", "2026-03-01T11:00:00Z", PodReports.Gone.SILENT),
        new PodReports.Removal(2, "c", null, PodReports.Gone.POD_GONE));

    assertThat(PodEntryRemoval.jsonPatch(removals)).isEqualTo("["
        + "{\"op\":\"test\",\"path\":\"/status/runtime/pods/2/name\",\"value\":\"c\"},"
        + "{\"op\":\"remove\",\"path\":\"/status/runtime/pods/2\"},"
        + "{\"op\":\"test\",\"path\":\"/status/runtime/pods/0/name\",\"value\":\"a\"},"
        + "{\"op\":\"test\",\"path\":\"/status/runtime/pods/0/reportedAt\",\"value\":\"2026-03-01T11:00:00Z\"},"
        + "{\"op\":\"remove\",\"path\":\"/status/runtime/pods/0\"}]");
  }

  private static RuntimePodStatus entry(String name, long clients, String role, long secondsAgo) {
    RuntimePodStatus entry = new RuntimePodStatus(name);
    entry.setClients(clients);
    entry.setRole(role);
    entry.setReportedAt(NOW.minusSeconds(secondsAgo).toString());
    return entry;
  }
}
