package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.compat.NodeSuite;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.runtime.testing.TenantPods;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three runtime processes of one tenant, each on its own loopback address, on a real PostgreSQL and
 * a real kube-apiserver: the Lease makes one of them the only reader of the slot, the others get
 * every change through its relay, and each pod reports itself in the tenant's status. Then the
 * leader is killed with {@code kill -9} while a writer commits 500 rows a second: a follower takes
 * the Lease and the slot, and a client on a follower receives every committed row exactly once, in
 * order, across the hand-over.
 */
class ScaleOutIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String NAMESPACE = "tenants";
  private static final String TENANT = "acme";
  private static final String PUBLICATION = "scale_out_it";
  private static final String SSE_PATH = "/realtime/v1/sse?schema=public&table=ledger&event=INSERT";
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration DRAIN_WINDOW = Duration.ofSeconds(3);
  private static final int ROWS_PER_SECOND = 500;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private String slot;
  private Path logDir;
  private final List<Pod> pods = new ArrayList<>();
  private final List<SseTestClient> clients = new ArrayList<>();
  private Writer writer;

  /** One runtime process: its own loopback address, client port and relay port. */
  private record Pod(String name, String host, int port, RuntimeProcess process) {
    URI uri(String path) {
      return URI.create("http://" + host + ":" + port + path);
    }
  }

  @BeforeAll
  static void tenantAndTable() {
    postgres.execute(
        "CREATE TABLE ledger (id bigint PRIMARY KEY, body text NOT NULL)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE ledger WITH (publish = 'insert')");
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
        .build()).create();
    assertThat(kube.kubectlApply(NAMESPACE, TenantPods.tenantManifest(TENANT, 3)).exitCode()).isZero();
  }

  @BeforeEach
  void freshSlot(TestInfo test) throws IOException {
    String method = test.getTestMethod().orElseThrow().getName();
    slot = "scale_" + Integer.toHexString(method.hashCode() & 0x7fffffff);
    postgres.execute("TRUNCATE ledger", "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    logDir = Path.of("target", "scale-out-it", method);
    Files.createDirectories(logDir);
    kube.client().leases().inNamespace(NAMESPACE).withName(ClusterSettings.defaultLease(TENANT)).delete();
  }

  @AfterEach
  void stopEverything() {
    pods.forEach(pod -> pod.process().close());
    clients.forEach(SseTestClient::close);
    if (writer != null) {
      writer.stopQuietly();
    }
    try {
      await().atMost(WAIT).until(() -> "0".equals(query("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
          + slot + "' AND active")));
      postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
    } catch (RuntimeException e) {
      System.err.println("could not drop slot " + slot + ": " + e);
    }
  }

  @Test
  void oneLeaderReadsTheSlotAndEveryPodDeliversEveryChangeInCommitOrder() throws Exception {
    startPods(3);
    assertThat(activeReaders()).as("walsenders streaming slot %s (pg_stat_replication)", slot).isEqualTo(1);

    List<SseTestClient> perPod = pods.stream().map(pod -> sse(pod)).toList();
    for (Pod pod : pods) {
      within(pod.name() + " to count its SSE subscription", () -> metric(pod, "slipstream_subscriptions") == 1);
    }
    commitInTransactions(1, 30, 3);
    for (int i = 0; i < pods.size(); i++) {
      SseTestClient client = perPod.get(i);
      within("the client on " + pods.get(i).name() + " to receive rows 1..30", () -> client.changes().size() >= 30);
      assertThat(rowIds(client.changes())).as("rows on %s", pods.get(i).name()).containsExactlyElementsOf(range(1, 30));
    }
    List<String> ids = perPod.getFirst().changes().stream().map(SseTestClient.Event::id).toList();
    perPod.forEach(client -> assertThat(client.changes().stream().map(SseTestClient.Event::id).toList())
        .as("every pod gives each change the same position").isEqualTo(ids));
    assertThat(activeReaders()).as("still one reader of the slot").isEqualTo(1);

    // Every pod's own entry in the tenant's status: one leader, two followers, all ready.
    within("three entries in status.runtime.pods", () -> podEntries().size() == 3
        && podEntries().stream().allMatch(e -> Boolean.TRUE.equals(e.getReady()) && e.getClients() != null
            && e.getClients() == 1 && ids.getLast().equals(e.getLastLsn()))
        // The leader's lag probe measures every 5 s, once the slot has confirmed something.
        && podEntries().stream().anyMatch(e -> "Leader".equals(e.getRole()) && e.getSlotLagBytes() != null));
    List<RuntimePodStatus> entries = podEntries();
    assertThat(entries).extracting(RuntimePodStatus::getRole).containsExactlyInAnyOrder("Leader", "Follower", "Follower");
    RuntimePodStatus leader = entries.stream().filter(e -> "Leader".equals(e.getRole())).findFirst().orElseThrow();
    assertThat(leader.getName()).isEqualTo(leaseHolder());
    assertThat(leader.getSlotLagBytes()).as("the leader reports the slot's lag").isNotNull().isNotNegative();
    entries.forEach(e -> assertThat(e.getReportedAt()).isNotBlank());
    entries.forEach(e -> assertThat(e.getRelayAddress()).startsWith("127.0.0."));
  }

  @Test
  void killingTheLeaderHandsTheSlotToAFollowerAndItsClientsGetEveryRowOnceInOrder() throws Exception {
    startPods(3);
    Pod leader = pod(leaseHolder());
    List<Pod> followers = pods.stream().filter(p -> p != leader).toList();
    List<SseTestClient> followerClients = followers.stream().map(this::sse).toList();
    for (Pod pod : followers) {
      within(pod.name() + " to count its SSE subscription", () -> metric(pod, "slipstream_subscriptions") == 1);
    }
    writer = new Writer(ROWS_PER_SECOND);
    writer.start();
    within("the followers' clients to receive 300 rows",
        () -> followerClients.stream().allMatch(c -> c.changes().size() >= 300));

    long committedAtKill = writer.committed();
    long killedAt = System.nanoTime();
    assertThat(leader.process().kill(WAIT)).as("SIGKILL").isEqualTo(137);
    // A new leader streams: some pod other than the dead one holds the slot, and rows committed
    // after the kill reach the followers' clients.
    within("a new leader to stream the slot", () -> activeReaders() == 1 && !leader.name().equals(leaseHolder()));
    within("rows committed after the kill to arrive", () -> followerClients.stream()
        .allMatch(c -> !c.changes().isEmpty() && rowId(c.changes().getLast()) > committedAtKill + 50));
    long newLeaderStreamsMillis = TimeUnit.NANOSECONDS.toMillis(firstArrivalAfter(followerClients, committedAtKill)
        - killedAt);
    long committedNow = writer.committed();
    within("the writer to commit 500 more rows", () -> writer.committed() >= committedNow + 500);
    writer.stop();
    long last = writer.committed() + 1;
    postgres.execute("INSERT INTO ledger (id, body) VALUES (" + last + ", 'marker')");
    for (SseTestClient client : followerClients) {
      within("the marker row " + last, () -> !client.changes().isEmpty() && rowId(client.changes().getLast()) == last);
      assertExactlyOnceInOrder(client.changes(), range(1, last));
    }
    System.out.printf("kill -9 of the leader at row %d: the first row committed after it reached a follower's"
        + " client %d ms after the kill (lease %s); %d rows in all, each once and in order on both followers%n",
        committedAtKill, newLeaderStreamsMillis, LEASE, last);
    assertThat(newLeaderStreamsMillis).as("a new leader streams within 5 s of the kill").isLessThan(5_000);
  }

  /**
   * A follower killed under the same load: its two clients resume by position ({@code Last-Event-ID},
   * the last id each received) one on the leader, one on the other follower, and get every committed
   * row exactly once, in order; the clients of the leader and of the other follower stay connected
   * and miss nothing. The leader lets the dead follower go at once (the kernel closes its socket);
   * its status entry stays, no longer refreshed, until the operator prunes it (no operator here).
   */
  @Test
  void killingAFollowerMovesItsClientsToOtherPodsByPositionAndLeavesTheRestUntouched() throws Exception {
    startPods(3);
    Pod leader = pod(leaseHolder());
    List<Pod> followers = pods.stream().filter(p -> p != leader).toList();
    Pod victim = followers.get(0);
    Pod survivor = followers.get(1);
    List<SseTestClient> bystanders = List.of(sse(leader), sse(survivor));
    List<SseTestClient> doomed = List.of(sse(victim), sse(victim));
    List<Pod> resumeOn = List.of(leader, survivor);
    within("every SSE subscription counted", () -> metric(leader, "slipstream_subscriptions") == 1
        && metric(survivor, "slipstream_subscriptions") == 1 && metric(victim, "slipstream_subscriptions") == 2);
    within("the leader to relay to both followers", () -> metric(leader, "slipstream_relay_followers") == 2);
    within("three entries in status.runtime.pods", () -> podEntries().size() == 3);

    writer = new Writer(ROWS_PER_SECOND);
    writer.start();
    within("every client to receive 300 rows",
        () -> Stream.concat(bystanders.stream(), doomed.stream()).allMatch(c -> c.changes().size() >= 300));

    long committedAtKill = writer.committed();
    long killedAt = System.nanoTime();
    assertThat(victim.process().kill(WAIT)).as("SIGKILL").isEqualTo(137);
    within("the killed follower's clients to see their streams end", () -> doomed.stream().allMatch(SseTestClient::ended));
    long streamsEndedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    // What an SSE client does on its own (EventSource): connect again, to another pod behind the
    // Service, with the id of the last event it received.
    List<SseTestClient> resumed = new ArrayList<>();
    for (int i = 0; i < doomed.size(); i++) {
      List<SseTestClient.Event> received = doomed.get(i).changes();
      resumed.add(sse(resumeOn.get(i), received.getLast().id()));
    }
    within("the resumed clients to receive rows committed after the kill", () -> resumed.stream()
        .allMatch(c -> !c.changes().isEmpty() && rowId(c.changes().getLast()) > committedAtKill + 50));
    long resumedMillis = resumed.stream().mapToLong(c -> c.changes().getFirst().receivedNanos() - killedAt).max()
        .orElseThrow() / 1_000_000;
    within("the leader to count one follower", () -> metric(leader, "slipstream_relay_followers") == 1);
    long leaderLetGoMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

    long committedNow = writer.committed();
    within("the writer to commit 500 more rows", () -> writer.committed() >= committedNow + 500);
    writer.stop();
    long last = writer.committed() + 1;
    postgres.execute("INSERT INTO ledger (id, body) VALUES (" + last + ", 'marker')");
    for (SseTestClient client : Stream.concat(bystanders.stream(), resumed.stream()).toList()) {
      within("the marker row " + last, () -> !client.changes().isEmpty() && rowId(client.changes().getLast()) == last);
    }
    for (SseTestClient client : bystanders) {
      assertThat(client.ended()).as("a client of the leader or the surviving follower stays connected").isFalse();
      assertExactlyOnceInOrder(client.changes(), range(1, last));
      assertThat(client.events).as("no gap notice on an untouched client").allMatch(e -> e.event() == null);
    }
    for (int i = 0; i < doomed.size(); i++) {
      List<SseTestClient.Event> whole = new ArrayList<>(doomed.get(i).changes());
      whole.addAll(resumed.get(i).changes());
      assertExactlyOnceInOrder(whole, range(1, last));
      assertThat(resumed.get(i).events).as("no gap notice after resuming on %s", resumeOn.get(i).name())
          .allMatch(e -> e.event() == null);
    }
    assertThat(activeReaders()).as("the leader still streams the slot, alone").isEqualTo(1);
    assertThat(leaseHolder()).as("the Lease stays with the leader").isEqualTo(leader.name());

    // The dead pod's entry stays, no longer refreshed, while the living pods keep writing theirs.
    String victimReportedAt = entry(victim).getReportedAt();
    Map<String, String> livingReportedAt = new HashMap<>();
    for (Pod pod : List.of(leader, survivor)) {
      livingReportedAt.put(pod.name(), entry(pod).getReportedAt());
    }
    within("the living pods to write their entries again", () -> livingReportedAt.entrySet().stream()
        .allMatch(e -> !e.getValue().equals(entry(pod(e.getKey())).getReportedAt())));
    assertThat(entry(victim).getReportedAt()).as("the killed pod's entry is no longer refreshed (the operator prunes"
        + " it)").isEqualTo(victimReportedAt);
    System.out.printf("kill -9 of a follower at row %d: its clients' streams ended %d ms after the kill; resumed by"
        + " position on the leader and the other follower, both had their first missed row %d ms after the kill"
        + " (reconnecting as soon as the end was seen); the leader counted one follower %d ms after the kill;"
        + " %d rows in all, each once and in order on all four clients%n", committedAtKill, streamsEndedMillis,
        resumedMillis, leaderLetGoMillis, last);
  }

  /**
   * The same kill with the unmodified realtime-js ({@code src/test/node/scale/follower-kill.test.mjs}):
   * a client that reached the follower through a stand-in for the Service reconnects by itself, lands
   * on the other follower and rejoins after its last position; it and a client on the leader get
   * every row once, in order. The node test writes the rows and kills the follower itself.
   */
  @Test
  void withRealtimeJsAKilledFollowersClientResumesByPositionOnAnotherPod() throws Exception {
    startPods(3);
    Pod leader = pod(leaseHolder());
    List<Pod> ordered = new ArrayList<>(List.of(leader));
    pods.stream().filter(p -> p != leader).forEach(ordered::add);
    within("the leader to relay to both followers", () -> metric(leader, "slipstream_relay_followers") == 2);
    NodeSuite suite = new NodeSuite(NodeSuite.sourceDirectory(), Path.of("target", "node"));
    System.out.println("[follower kill realtime-js] " + suite.prepare());
    Map<String, String> env = new HashMap<>();
    env.put("SLIPSTREAM_REALTIME_URL", realtimeUrl(leader));
    env.put("SLIPSTREAM_POD_URLS", String.join(",", ordered.stream().map(ScaleOutIT::realtimeUrl).toList()));
    env.put("SLIPSTREAM_POD_PIDS", String.join(",", ordered.stream().map(p -> Long.toString(p.process().pid()))
        .toList()));
    env.put("SLIPSTREAM_ROWS_PER_SECOND", String.valueOf(ROWS_PER_SECOND));
    env.put("SLIPSTREAM_VSN", "2.0.0");
    env.put("SLIPSTREAM_APIKEY", "anon");
    env.putAll(NodeSuite.postgresEnvironment(postgres));
    Path log = logDir.resolve("realtime-js.log");
    NodeSuite.Result result = suite.run(env, log, Duration.ofMinutes(3), "scale/*.test.mjs");
    result.output().lines().filter(line -> line.contains("follower kill:")).forEach(System.out::println);
    assertThat(result.exitCode()).as("node --test over src/test/node/scale (%s)\n%s", log,
        NodeSuite.tail(result.output(), 80, log.toString())).isZero();
    assertThat(leaseHolder()).as("the Lease stays with the leader").isEqualTo(leader.name());
  }

  private static String realtimeUrl(Pod pod) {
    return "ws://" + pod.host() + ":" + pod.port() + "/realtime/v1";
  }

  @Test
  void aLeaderStoppedCleanlyHandsOverAtOnceAndRemovesItsEntry() throws Exception {
    startPods(3);
    within("three entries in status.runtime.pods", () -> podEntries().size() == 3);
    Pod leader = pod(leaseHolder());
    Pod follower = pods.stream().filter(p -> p != leader).findFirst().orElseThrow();
    SseTestClient client = sse(follower);
    within(follower.name() + " to count its SSE subscription", () -> metric(follower, "slipstream_subscriptions") == 1);
    long handOverMillis;

    // Every version of the Lease from now on: when the old leader last renewed it, when the next took it.
    List<LeaseSpec> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Watch watch = kube.client().leases().inNamespace(NAMESPACE).withName(ClusterSettings.defaultLease(TENANT))
        .watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, Lease lease) {
            if (lease.getSpec() != null) {
              versions.add(lease.getSpec());
            }
          }

          @Override
          public void onClose(WatcherException cause) {
          }
        })) {
      long stoppedAt = System.nanoTime();
      assertThat(leader.process().stop(WAIT)).as("SIGTERM ends the JVM through its shutdown hook").isEqualTo(143);
      within("another pod to hold the Lease and stream the slot",
          () -> !leader.name().equals(leaseHolder()) && leaseHolder() != null && activeReaders() == 1);
      handOverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
      within("the watch to see the new holder", () -> versions.stream().anyMatch(v -> !holds(v, leader)));
    }
    // Released: the next holder took the Lease before the old leader's last renewal could run out
    // (a Lease left to run out is taken a whole lease duration after that renewal, at the earliest).
    ZonedDateTime lastRenewal = versions.stream().filter(v -> holds(v, leader) && v.getLeaseDurationSeconds()
        == LEASE.toSeconds()).map(LeaseSpec::getRenewTime).max(java.util.Comparator.naturalOrder()).orElseThrow();
    ZonedDateTime taken = versions.stream().filter(v -> !holds(v, leader)).findFirst().orElseThrow().getAcquireTime();
    assertThat(taken).as("the next leader took the Lease before it could have run out (last renewed %s)",
        lastRenewal).isBefore(lastRenewal.plus(LEASE));
    // At once, before the follower (which never received a change) has reached the new leader: it
    // must resume from where the old leader started it, not start live after these rows.
    commitInTransactions(1, 10, 2);
    within("the stopped pod's entry to be gone (removed by the pod itself)",
        () -> podEntries().stream().noneMatch(e -> e.getName().equals(leader.name())));
    within("the client on " + follower.name() + " to receive rows 1..10", () -> client.changes().size() >= 10);
    assertThat(rowIds(client.changes())).containsExactlyElementsOf(range(1, 10));
    System.out.printf("SIGTERM of the leader: another pod streamed the slot %d ms after the signal (lease %s)%n",
        handOverMillis, LEASE);
  }

  @Test
  void aPodGoingAwayAsksItsClientsToReconnectSpreadOverTheDrainWindow() throws Exception {
    startPods(3);
    Pod leaving = pods.stream().filter(p -> !p.name().equals(leaseHolder())).findFirst().orElseThrow();
    List<ClosingSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      sockets.add(ClosingSocket.open(leaving.uri("/realtime/v1/websocket?vsn=1.0.0").toString().replace("http", "ws")));
    }
    within("30 WebSockets on " + leaving.name(), () -> metric(leaving, "slipstream_connections") >= 30);

    long signalled = System.nanoTime();
    assertThat(leaving.process().stop(WAIT)).as("SIGTERM ends the JVM through its shutdown hook").isEqualTo(143);
    within("every socket to be closed by the server", () -> sockets.stream().allMatch(s -> s.closedAt.get() != 0));
    assertThat(sockets).as("close code 1012 (service restart): realtime-js reconnects and rejoins")
        .allSatisfy(s -> assertThat(s.code.get()).isEqualTo(1012));
    long first = sockets.stream().mapToLong(s -> s.closedAt.get()).min().orElseThrow() - signalled;
    long last = sockets.stream().mapToLong(s -> s.closedAt.get()).max().orElseThrow() - signalled;
    System.out.printf("draining: 30 clients closed between %d and %d ms after SIGTERM (window %s)%n",
        TimeUnit.NANOSECONDS.toMillis(first), TimeUnit.NANOSECONDS.toMillis(last), DRAIN_WINDOW);
    assertThat(last - first).as("closes spread over the window, not one burst")
        .isGreaterThan(DRAIN_WINDOW.toNanos() / 3);
    assertThat(last).as("every client asked within the window").isLessThan(DRAIN_WINDOW.toNanos() + 2_000_000_000L);
    within("the drained pod's entry to be gone", () -> podEntries().stream()
        .noneMatch(e -> e.getName().equals(leaving.name())));
  }

  /** A bare WebSocket that records how and when the server closed it. */
  private static final class ClosingSocket implements java.net.http.WebSocket.Listener {
    final AtomicLong closedAt = new AtomicLong();
    final java.util.concurrent.atomic.AtomicInteger code = new java.util.concurrent.atomic.AtomicInteger();

    static ClosingSocket open(String uri) {
      ClosingSocket listener = new ClosingSocket();
      http.newWebSocketBuilder().buildAsync(URI.create(uri), listener).join();
      return listener;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket socket, int statusCode,
        String reason) {
      code.set(statusCode);
      closedAt.set(System.nanoTime());
      return null;
    }

    @Override
    public void onError(java.net.http.WebSocket socket, Throwable error) {
      closedAt.compareAndSet(0, System.nanoTime());
    }
  }

  // ---- the property under test ----

  private static void assertExactlyOnceInOrder(List<SseTestClient.Event> events, List<Long> committed) {
    List<Long> received = rowIds(events);
    Map<Long, Integer> counts = new HashMap<>();
    received.forEach(id -> counts.merge(id, 1, Integer::sum));
    List<Long> repeated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted()
        .toList();
    List<Long> missing = committed.stream().filter(id -> !counts.containsKey(id)).toList();
    String summary = "received " + received.size() + " of " + committed.size() + "; repeated " + head(repeated)
        + ", missing " + head(missing);
    assertThat(repeated).as("rows delivered twice: " + summary).isEmpty();
    assertThat(missing).as("committed rows never delivered: " + summary).isEmpty();
    assertThat(received).as("rows in commit order: " + summary).containsExactlyElementsOf(committed);
    EventPosition previous = null;
    for (SseTestClient.Event event : events) {
      EventPosition position = EventPosition.parse(event.id());
      if (previous != null) {
        assertThat(position.isAfter(previous)).as("position %s after %s", position, previous).isTrue();
      }
      previous = position;
    }
  }

  /** When the first row committed after {@code row} arrived at any of the clients (System.nanoTime). */
  private static long firstArrivalAfter(List<SseTestClient> clients, long row) {
    return clients.stream().flatMap(c -> c.changes().stream()).filter(e -> rowId(e) > row)
        .mapToLong(SseTestClient.Event::receivedNanos).min().orElseThrow();
  }

  // ---- pods ----

  private void startPods(int count) {
    int port = RuntimeProcess.freePort();
    int relayPort = RuntimeProcess.freePort();
    for (int i = 1; i <= count; i++) {
      String host = "127.0.0." + (10 + i);
      String name = TENANT + "-runtime-" + i;
      Map<String, String> env = RuntimeProcess.environment(postgres, slot, PUBLICATION, port,
          logDir.resolve("spill-" + i));
      TenantPods.join(env, TENANT, NAMESPACE, name, host, relayPort, LEASE, kube.kubeconfig());
      env.put("SLIPSTREAM_DRAIN_WINDOW", DRAIN_WINDOW.toSeconds() + "s");
      env.put("SLIPSTREAM_RESUME_RING_EVENTS", "50000");
      pods.add(new Pod(name, host, port, RuntimeProcess.start(name, env, logDir.resolve(name + ".log"))));
    }
    for (Pod pod : pods) {
      within(pod.name() + " to be ready (GET /readyz)", () -> {
        if (!pod.process().isAlive()) {
          throw new AssertionError(pod.name() + " exited with " + pod.process().exitValue() + "\n"
              + pod.process().logTail());
        }
        return status(pod, "/readyz") == 200;
      });
    }
  }

  private Pod pod(String name) {
    return pods.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no pod named " + name));
  }

  private static String leaseHolder() {
    return TenantPods.leaseHolder(kube.client(), NAMESPACE, TENANT);
  }

  private static boolean holds(LeaseSpec version, Pod pod) {
    return version.getHolderIdentity() != null && version.getHolderIdentity().startsWith(pod.name() + "@");
  }

  private static List<RuntimePodStatus> podEntries() {
    return TenantPods.podEntries(kube.client(), NAMESPACE, TENANT);
  }

  private SseTestClient sse(Pod pod) {
    return sse(pod, null);
  }

  private SseTestClient sse(Pod pod, String lastEventId) {
    SseTestClient client = SseTestClient.open(pod.uri(SSE_PATH), lastEventId);
    clients.add(client);
    return client;
  }

  private static RuntimePodStatus entry(Pod pod) {
    return podEntries().stream().filter(e -> pod.name().equals(e.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no status entry of " + pod.name()));
  }

  private static double metric(Pod pod, String name) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(pod.uri("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.body().lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
          .orElse(Double.NaN);
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static int status(Pod pod, String path) {
    try {
      return http.send(HttpRequest.newBuilder(pod.uri(path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- database ----

  private long activeReaders() {
    return Long.parseLong(query("SELECT count(*) FROM pg_stat_replication r JOIN pg_replication_slots s"
        + " ON s.active_pid = r.pid WHERE s.slot_name = '" + slot + "'"));
  }

  private static void commitInTransactions(long from, long to, int perTransaction) throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO ledger (id, body) VALUES (?, 'row')")) {
      connection.setAutoCommit(false);
      for (long id = from; id <= to; id++) {
        insert.setLong(1, id);
        insert.executeUpdate();
        if ((id - from + 1) % perTransaction == 0 || id == to) {
          connection.commit();
        }
      }
    }
  }

  private static String query(String sql) {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? String.valueOf(rows.getString(1)) : null;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  private static List<Long> rowIds(List<SseTestClient.Event> events) {
    return events.stream().map(ScaleOutIT::rowId).toList();
  }

  private static long rowId(SseTestClient.Event event) {
    try {
      JsonNode change = JSON.readTree(event.data());
      return change.get("new").get("id").asLong();
    } catch (IOException e) {
      throw new AssertionError("not a change: " + event, e);
    }
  }

  /** Commits rows 1, 2, 3, ... one per transaction, at a steady rate (paced, not synchronised). */
  private static final class Writer {
    private final AtomicLong committed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread = Thread.ofPlatform().name("ledger-writer").daemon().unstarted(this::run);
    private final long periodNanos;
    private volatile boolean running = true;

    Writer(int rowsPerSecond) {
      this.periodNanos = TimeUnit.SECONDS.toNanos(1) / rowsPerSecond;
    }

    void start() {
      thread.start();
    }

    long committed() {
      Throwable t = failure.get();
      if (t != null) {
        throw new AssertionError("the writer failed after committing " + committed.get() + " rows", t);
      }
      return committed.get();
    }

    private void run() {
      try (Connection connection = postgres.connect();
          PreparedStatement insert = connection.prepareStatement("INSERT INTO ledger (id, body) VALUES (?, 'row')")) {
        connection.setAutoCommit(true);
        long next = System.nanoTime();
        while (running) {
          long id = committed.get() + 1;
          insert.setLong(1, id);
          insert.executeUpdate();
          committed.set(id);
          next += periodNanos;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait); // the rate, not a synchronisation
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    }

    void stopQuietly() {
      running = false;
      try {
        thread.join(WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void stop() {
      stopQuietly();
      committed();
    }
  }

  private void within(String what, Callable<Boolean> condition) {
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      StringBuilder logs = new StringBuilder();
      pods.forEach(pod -> logs.append(pod.process().logTail()).append('\n'));
      throw new AssertionError("timed out after " + WAIT + " waiting for " + what + "\n" + logs, e);
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static <T> String head(List<T> values) {
    return values.size() <= 20 ? values.toString() : values.subList(0, 20) + " ... (" + values.size() + " in all)";
  }
}
