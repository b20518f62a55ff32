package dev.slipstream.runtime.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.faults.TenantProcesses.Pod;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.LedgerWriter;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kube-apiserver restarted under two runtime pods of one tenant (a leader and a follower, real
 * processes, the default 5 s Lease) while a writer commits 50 rows a second and an SSE client is
 * connected to each pod. The API server is down for 15 s (SIGTERM; etcd keeps running) and comes
 * back on the same port, certificates and data.
 *
 * <p>What the leader must do: it cannot renew the Lease, so it cannot know whether another pod
 * (one that still reaches the API server) has taken it; it stops streaming the slot at its renew
 * deadline, before the Lease could run out for anyone else. Clients stay connected throughout;
 * the rows committed meanwhile reach them after the API server is back and a pod leads again,
 * each once, in order.
 */
class ApiServerRestartIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration OUTAGE = Duration.ofSeconds(15);
  private static final Duration LEASE = Duration.ofSeconds(5);
  private static final String NAMESPACE = "tenants";
  private static final String TENANT = "acme";
  private static final String PUBLICATION = "api_restart_it";
  private static final String SLOT = "api_restart_it";
  private static final String SSE_PATH = "/realtime/v1/sse?schema=public&table=ledger&event=INSERT";

  private TenantProcesses pods;
  private final List<SseTestClient> clients = new ArrayList<>();

  @BeforeAll
  static void tenantAndTable() {
    postgres.execute(
        "CREATE TABLE ledger (id bigint PRIMARY KEY, body text NOT NULL)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE ledger WITH (publish = 'insert')",
        "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
    TenantProcesses.createTenant(kube, NAMESPACE, TENANT);
  }

  @AfterEach
  void stopEverything() {
    clients.forEach(SseTestClient::close);
    if (pods != null) {
      pods.close();
    }
  }

  @Test
  void clientsStayConnectedAndGetEveryRowOnceInOrderAcrossTheRestart() throws Exception {
    pods = new TenantProcesses(postgres, kube, NAMESPACE, TENANT, SLOT, PUBLICATION, LEASE,
        Path.of("target", "api-server-restart-it"));
    List<Pod> both = List.of(pods.startReady(Map.of()), pods.startReady(Map.of()));
    for (Pod pod : both) {
      clients.add(SseTestClient.open(pod.uri(SSE_PATH), null));
    }
    within("both clients subscribed", () -> both.stream().allMatch(p -> TenantProcesses.metric(p, "slipstream_subscriptions") == 1));
    Pod leader = pods.leader();
    String leaderBefore = leader.name();
    try (LedgerWriter writer = LedgerWriter.ledger(postgres, 50).start()) {
      within("100 rows on both clients", () -> clients.stream().allMatch(c -> c.changes().size() >= 100));

      long stopping = System.nanoTime();
      List<String> command = kube.server().stopApiServer();
      long down = System.nanoTime();
      long committedAtStop = writer.committed();
      // The outage: held for 15 s, and throughout it neither client may be disconnected. Meanwhile
      // the leader's /readyz tells when it stopped streaming the slot.
      AtomicLong leaderNotReady = new AtomicLong();
      await().atMost(OUTAGE.plusSeconds(10)).pollInterval(Duration.ofMillis(100)).during(OUTAGE)
          .until(() -> {
            if (leaderNotReady.get() == 0 && readiness(leader) != 200) {
              leaderNotReady.set(System.nanoTime());
            }
            return clients.stream().noneMatch(SseTestClient::ended);
          });
      long starting = System.nanoTime();
      kube.server().startApiServer(command);
      long up = System.nanoTime();
      long committedAtStart = writer.committed();

      within("rows committed after the restart on both clients", () -> clients.stream()
          .allMatch(c -> !c.changes().isEmpty() && rowId(c.changes().getLast()) > committedAtStart + 50));
      long last = writer.stop();
      within("every row on both clients", () -> clients.stream()
          .allMatch(c -> !c.changes().isEmpty() && rowId(c.changes().getLast()) == last));

      for (int i = 0; i < clients.size(); i++) {
        SseTestClient client = clients.get(i);
        assertThat(client.ended()).as("client on %s still connected", both.get(i).name()).isFalse();
        assertExactlyOnceInOrder(client.changes(), LongStream.rangeClosed(1, last).boxed().toList());
      }
      // When the stream paused and resumed, as the clients saw it (rows arrive every 20 ms otherwise).
      long[] pause = longestPauseAfter(down);
      long pausedAt = pause[0];
      long resumedAt = pause[1];
      within("one pod to lead again", () -> pods.leader() != null);
      within("both pods to report themselves again, ready", () -> podEntries().size() == 2
          && podEntries().stream().allMatch(e -> Boolean.TRUE.equals(e.getReady())
          && Instant.parse(e.getReportedAt()).isAfter(Instant.now().minusSeconds(3))));
      System.out.printf("FAULT kube-apiserver restart: SIGTERM took %d ms, down %d ms, start to ready %d ms;"
              + " rows committed %d (%d while it was down); lost 0, duplicated 0 on both clients, neither"
              + " disconnected; the leader was not ready %d ms after the stop; the stream paused %d ms after the"
              + " stop (leader %s, lease %s) and resumed %d ms after"
              + " kube-apiserver was started (%d ms before it answered /readyz; leader then %s)%n",
          ms(stopping, down), ms(down, starting), ms(starting, up), last, committedAtStart - committedAtStop,
          ms(down, leaderNotReady.get()), ms(down, pausedAt), leaderBefore, LEASE, ms(starting, resumedAt),
          ms(resumedAt, up), pods.leader().name());
      assertThat(leaderNotReady.get()).as("the leader stopped streaming during the outage").isNotZero();
      assertThat(ms(down, leaderNotReady.get())).as("the leader stopped streaming before its Lease could run out")
          .isLessThan(LEASE.toMillis());
    }
  }

  // ---- the property under test ----

  private static void assertExactlyOnceInOrder(List<SseTestClient.Event> events, List<Long> committed) {
    List<Long> received = events.stream().map(ApiServerRestartIT::rowId).toList();
    Set<Long> seen = new HashSet<>();
    List<Long> repeated = received.stream().filter(id -> !seen.add(id)).toList();
    List<Long> missing = committed.stream().filter(id -> !seen.contains(id)).toList();
    assertThat(repeated).as("rows delivered twice").isEmpty();
    assertThat(missing).as("committed rows never delivered").isEmpty();
    assertThat(received).as("rows in commit order").containsExactlyElementsOf(committed);
    EventPosition previous = null;
    for (SseTestClient.Event event : events) {
      EventPosition position = EventPosition.parse(event.id());
      assertThat(previous == null || position.isAfter(previous)).as("position %s after %s", position, previous)
          .isTrue();
      previous = position;
    }
  }

  /**
   * The longest time, from the last arrival before {@code nanos} on, in which no client received
   * anything (rows are committed every 20 ms): its start and end.
   */
  private long[] longestPauseAfter(long nanos) {
    long[] arrivals = clients.stream().flatMap(c -> c.changes().stream()).mapToLong(SseTestClient.Event::receivedNanos)
        .sorted().toArray();
    long[] pause = {nanos, nanos};
    for (int i = 1; i < arrivals.length; i++) {
      if (arrivals[i] > nanos && arrivals[i] - arrivals[i - 1] > pause[1] - pause[0]) {
        pause[0] = arrivals[i - 1];
        pause[1] = arrivals[i];
      }
    }
    return pause;
  }

  // ---- helpers ----

  private static List<RuntimePodStatus> podEntries() {
    RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace(NAMESPACE).withName(TENANT).get();
    if (tenant.getStatus() == null || tenant.getStatus().getRuntime() == null
        || tenant.getStatus().getRuntime().getPods() == null) {
      return List.of();
    }
    return tenant.getStatus().getRuntime().getPods();
  }

  private static long rowId(SseTestClient.Event event) {
    try {
      return JSON.readTree(event.data()).get("new").get("id").asLong();
    } catch (IOException e) {
      throw new AssertionError("not a change: " + event, e);
    }
  }

  /** The pod's /readyz status, -1 when it did not answer. */
  private static int readiness(Pod pod) {
    try {
      return TenantProcesses.status(pod, "/readyz");
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static long ms(long from, long to) {
    return Duration.ofNanos(to - from).toMillis();
  }

  private void within(String what, Callable<Boolean> condition) {
    pods.within(what, condition);
  }
}
