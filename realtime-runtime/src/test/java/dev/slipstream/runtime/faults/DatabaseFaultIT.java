package dev.slipstream.runtime.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.faults.HoldingProxy;
import dev.slipstream.testing.faults.Toxiproxy;
import dev.slipstream.testing.faults.ToxiproxyProxy;
import dev.slipstream.testing.faults.ToxiproxyProxy.Stream;
import dev.slipstream.testing.postgres.LedgerWriter;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults between a real runtime process and a real PostgreSQL while a writer commits 100 rows a
 * second: the database restarted, the network to it cut for 30 s through Toxiproxy, and the
 * network made slow and narrow. Two SSE clients watch each: one stays connected throughout, one
 * goes away during the fault and comes back with {@code Last-Event-ID}. Both must end with every
 * committed row exactly once, in commit order; readiness and the streaming metric must say what is
 * wrong while it is wrong, and the runtime must recover without help.
 *
 * <p>Each test prints one {@code FAULT ...} line with what it measured (docs/reliability.md).
 */
class DatabaseFaultIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical().restartable();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Duration CUT = Duration.ofSeconds(30);
  private static final Duration PARTITION = Duration.ofSeconds(20);
  private static final int RECEIVE_TIMEOUT = 5;
  private static final int ROWS_PER_SECOND = 100;
  private static final String PUBLICATION = "faults_it";
  private static final String SSE_PATH = "/realtime/v1/sse?schema=public&table=ledger&event=INSERT";

  private static Toxiproxy toxiproxy;

  private String slot;
  private int port;
  private Path log;
  private RuntimeProcess runtime;
  private LedgerWriter writer;
  private HealthRecorder health;
  private HoldingProxy partition;
  private final List<SseTestClient> clients = new ArrayList<>();

  @BeforeAll
  static void tableAndProxy() {
    postgres.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, body text NOT NULL)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE ledger WITH (publish = 'insert')");
    toxiproxy = Toxiproxy.start();
  }

  @AfterAll
  static void stopProxy() {
    if (toxiproxy != null) {
      toxiproxy.close();
    }
  }

  @BeforeEach
  void freshSlot(TestInfo test) throws IOException {
    String method = test.getTestMethod().orElseThrow().getName();
    slot = "fault_" + Integer.toHexString(method.hashCode() & 0x7fffffff);
    postgres.execute("TRUNCATE ledger", "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    port = RuntimeProcess.freePort();
    log = Path.of("target", "database-fault-it", method + ".log");
    Files.deleteIfExists(log);
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    if (writer != null) {
      writer.stop();
    }
    if (health != null) {
      health.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (partition != null) {
      partition.close();
    }
    clients.forEach(SseTestClient::close);
    try {
      await().atMost(WAIT).until(() -> !slotActive());
      postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
    } catch (RuntimeException e) {
      System.err.println("could not drop slot " + slot + ": " + e);
    }
  }

  @Test
  void postgresRestartedMidStreamLosesAndRepeatsNothing() throws Exception {
    Watch watch = startWatching(postgres.port());

    long restartStarted = System.nanoTime();
    postgres.restart();
    long restartEnded = System.nanoTime();
    HealthRecorder.Sample ready = awaitReadyAgain(restartEnded);
    watch.resumeAfterTheFault();

    Outcome outcome = finish(watch);
    List<HealthRecorder.Sample> during = health.since(restartStarted);
    assertThat(during).as("readiness said the runtime was not streaming while PostgreSQL restarted")
        .anyMatch(s -> s.status() == 503 && s.text().startsWith("not streaming"));
    HealthRecorder.Sample firstNotReady = during.stream().filter(s -> !s.ready()).findFirst().orElseThrow();
    report("postgres restart (pg_ctl stop -m fast, start)", outcome, "restart took "
        + millisBetween(restartStarted, restartEnded) + " ms; not ready from " + millisBetween(restartStarted,
        firstNotReady.nanos()) + " ms after it began; ready again " + millisBetween(restartEnded, ready.nanos())
        + " ms after PostgreSQL was up");
    // A fast shutdown waits for every walsender's reader to confirm the shutdown checkpoint; the
    // runtime answers the walsender's keepalive and confirms its position while nothing is in
    // flight, so the restart is not held until wal_sender_timeout (60 s; 57-58 s before the fix).
    assertThat(millisBetween(restartStarted, restartEnded)).as("the restart's duration (ms)").isLessThan(30_000);
  }

  @Test
  void aSilentPartitionIsDetectedByTheReceiveDeadlineAndHealedWithoutLoss() throws Exception {
    // Not Toxiproxy: its timeout toxic drops the bytes, and a huge latency toxic (which holds them)
    // cannot be removed once the runtime closed its connection during it (see HoldingProxy).
    partition = HoldingProxy.to("127.0.0.1", postgres.port());
    Watch watch = startWatching(partition.port(),
        Map.of("SLIPSTREAM_REPLICATION_RECEIVE_TIMEOUT", RECEIVE_TIMEOUT + "s"));

    // Every byte either way is held (not dropped) until it heals: a partition TCP would ride out.
    long partitionStarted = System.nanoTime();
    partition.hold();
    await().atMost(WAIT).until(() -> millisSince(partitionStarted) >= PARTITION.toMillis() || !runtime.isAlive());
    partition.release();
    long partitionEnded = System.nanoTime();
    HealthRecorder.Sample ready = awaitReadyAgain(partitionEnded);
    watch.resumeAfterTheFault();

    Outcome outcome = finish(watch);
    List<HealthRecorder.Sample> during = health.since(partitionStarted).stream()
        .filter(s -> s.nanos() - partitionEnded < 0).toList();
    HealthRecorder.Sample detected = during.stream().filter(s -> !s.ready()).findFirst()
        .orElseThrow(() -> new AssertionError("the runtime looked ready throughout the partition"));
    assertThat(during).as("readiness named the receive deadline")
        .anyMatch(s -> s.status() == 503 && s.text().contains("nothing received from PostgreSQL"));
    long detectMillis = millisBetween(partitionStarted, detected.nanos());
    // From the first not-ready sample to the end, the pod said so and the gauge was 0.
    List<HealthRecorder.Sample> afterDetection = during.stream().filter(s -> s.nanos() - detected.nanos() >= 0).toList();
    assertThat(afterDetection).as("samples from detection to the end of the partition")
        .allMatch(s -> s.status() == 503 && s.text().startsWith("not streaming") && s.streaming() == 0.0,
            "503 'not streaming...' and slipstream_replication_streaming 0");
    report("silent partition for " + PARTITION.toSeconds() + " s (HoldingProxy: every byte held both ways, released"
            + " when healed), receive timeout " + RECEIVE_TIMEOUT + " s", outcome,
        "not ready " + detectMillis + " ms into the partition ('" + detected.text() + "'), " + afterDetection.size()
            + " of " + afterDetection.size() + " samples after it 503 with streaming 0; ready again "
            + millisBetween(partitionEnded, ready.nanos()) + " ms after it healed");
    assertThat(detectMillis).as("detected within the receive timeout and a little (ms)")
        .isLessThan(Duration.ofSeconds(RECEIVE_TIMEOUT + 5).toMillis());
  }

  @Test
  void theNetworkToTheDatabaseCutFor30SecondsIsShownAndRecoveredFrom() throws Exception {
    ToxiproxyProxy proxy = toxiproxy.proxy("cut", "127.0.0.1:" + postgres.port());
    Watch watch = startWatching(proxy.port());

    long cutStarted = System.nanoTime();
    proxy.disable();
    await().atMost(WAIT).until(() -> millisSince(cutStarted) >= CUT.toMillis() || !runtime.isAlive());
    proxy.enable();
    long cutEnded = System.nanoTime();
    HealthRecorder.Sample ready = awaitReadyAgain(cutEnded);
    watch.resumeAfterTheFault();

    Outcome outcome = finish(watch);
    // From 2 s into the cut to its end, every look at the pod said it was not streaming.
    List<HealthRecorder.Sample> duringCut = health.since(cutStarted + Duration.ofSeconds(2).toNanos()).stream()
        .filter(s -> s.nanos() - cutEnded < 0).toList();
    assertThat(duringCut).as("samples during the cut").hasSizeGreaterThan(50)
        .allMatch(s -> s.status() == 503 && s.text().startsWith("not streaming") && s.streaming() == 0.0,
            "503 'not streaming...' and slipstream_replication_streaming 0");
    report("network to PostgreSQL cut for 30 s (Toxiproxy: proxy disabled, connections closed, new ones refused)",
        outcome, "not ready 2 s into the cut until its end (" + duringCut.size() + " of " + duringCut.size()
            + " samples: 503 '" + duringCut.getLast().text() + "', streaming 0); ready again "
            + millisBetween(cutEnded, ready.nanos()) + " ms after the network came back");
  }

  @Test
  void aSlowNarrowNetworkDelaysButLosesNothing() throws Exception {
    ToxiproxyProxy proxy = toxiproxy.proxy("slow", "127.0.0.1:" + postgres.port());
    Watch watch = startWatching(proxy.port());

    long slowStarted = System.nanoTime();
    proxy.latency("latency-down", Stream.DOWNSTREAM, 250, 50).latency("latency-up", Stream.UPSTREAM, 250, 50)
        .bandwidth("narrow", Stream.DOWNSTREAM, 8);
    long committedBefore = writer.committed();
    await().atMost(WAIT).until(() -> millisSince(slowStarted) >= CUT.toMillis() || !runtime.isAlive());
    long receivedDuringSlow = watch.steady.changes().size();
    proxy.removeToxic("narrow").removeToxic("latency-down").removeToxic("latency-up");
    long slowEnded = System.nanoTime();
    watch.resumeAfterTheFault();

    Outcome outcome = finish(watch);
    List<HealthRecorder.Sample> duringSlow = health.since(slowStarted).stream()
        .filter(s -> s.nanos() - slowEnded < 0).toList();
    long notReady = duringSlow.stream().filter(s -> !s.ready()).count();
    report("network to PostgreSQL slow for 30 s (Toxiproxy: +250 ms ± 50 each way, 8 KB/s toward the runtime)",
        outcome, "rows committed during it " + (writer.committed() - committedBefore) + ", the steady client had "
            + receivedDuringSlow + " rows when it ended; not-ready samples during it " + notReady + " of "
            + duringSlow.size() + "; caught up " + millisBetween(slowEnded, outcome.caughtUpNanos) + " ms after");
    assertThat(notReady).as("a slow network is not a lost one: the runtime stayed ready").isZero();
  }

  @Test
  void aSlotPostgresInvalidatedIsReportedAndNeverRecreatedByTheRuntime() throws Exception {
    ToxiproxyProxy proxy = toxiproxy.proxy("lost", "127.0.0.1:" + postgres.port());
    startRuntime(proxy.port());
    SseTestClient client = sse(null);
    awaitSubscriptions(1);
    postgres.execute("INSERT INTO ledger (id, body) VALUES (1, 'row')");
    within("the client to receive row 1", () -> lastRowOf(client) == 1);

    proxy.disable(); // the runtime is away while the slot falls past max_slot_wal_keep_size
    try {
      postgres.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
        postgres.execute("INSERT INTO ledger (id, body) SELECT g, repeat('x', 1000) FROM generate_series("
                + "(SELECT max(id) + 1 FROM ledger), (SELECT max(id) + 2000 FROM ledger)) g",
            "SELECT pg_switch_wal()", "CHECKPOINT");
        return "lost".equals(walStatus());
      });
      long lostAt = System.nanoTime();
      proxy.enable();
      within("readiness to name the lost slot", () -> {
        HealthRecorder.Sample last = health.samples().getLast();
        return last.nanos() - lostAt > 0 && last.text().contains("can no longer get changes from replication slot");
      });
      HealthRecorder.Sample said = health.samples().getLast();
      assertThat(said.status()).isEqualTo(503);
      assertThat(said.streaming()).isZero();
      // Several reconnect attempts later the runtime has not dropped or recreated the slot.
      await().pollDelay(Duration.ofSeconds(5)).atMost(WAIT).untilAsserted(() -> assertThat(walStatus()).isEqualTo("lost"));
      assertThat(runtime.isAlive()).isTrue();
      assertThat(client.ended()).as("clients stay connected; they get no rows until the tenant is recovered").isFalse();
      System.out.printf("FAULT slot invalidated (max_slot_wal_keep_size 1MB, wal_status lost): readiness 503 '%s',"
          + " streaming 0; the slot left as it is; the SSE client still connected%n", said.text());
    } finally {
      postgres.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
    }
  }

  // ---- the scenario's frame ----

  private void startRuntime(int dbPort) {
    startRuntime(dbPort, Map.of());
  }

  private void startRuntime(int dbPort, Map<String, String> settings) {
    Map<String, String> env = RuntimeProcess.environment(postgres, slot, PUBLICATION, port,
        log.resolveSibling("spill-" + slot));
    env.putAll(settings);
    env.put("SLIPSTREAM_DB_PORT", String.valueOf(dbPort));
    env.put("SLIPSTREAM_RESUME_RING_EVENTS", "50000");
    runtime = RuntimeProcess.start("runtime", env, log);
    health = new HealthRecorder(port);
    within("the runtime to be ready", () -> {
      if (!runtime.isAlive()) {
        throw new AssertionError("the runtime exited with " + runtime.exitValue());
      }
      List<HealthRecorder.Sample> samples = health.samples();
      return !samples.isEmpty() && samples.getLast().ready();
    });
  }

  /** The runtime on {@code dbPort}, the health recorder, both clients with 200 rows received, the writer running. */
  private Watch startWatching(int dbPort) {
    return startWatching(dbPort, Map.of());
  }

  private Watch startWatching(int dbPort, Map<String, String> settings) {
    startRuntime(dbPort, settings);
    Watch watch = new Watch(sse(null), sse(null));
    awaitSubscriptions(2); // a client that subscribes after row 1 would rightly never see it
    writer = LedgerWriter.ledger(postgres, ROWS_PER_SECOND).start();
    within("both clients to receive 200 rows",
        () -> watch.steady.changes().size() >= 200 && watch.resuming.changes().size() >= 200);
    watch.resumingLeaves();
    return watch;
  }

  /** Stops the writer 300 rows after the fault, waits for both clients to have every row, and checks them. */
  private Outcome finish(Watch watch) throws Exception {
    long target = writer.committed() + 300;
    within("the writer to commit 300 rows after the fault", () -> writer.committed() >= target);
    long lastRow = writer.stop();
    within("the steady client to receive row " + lastRow, () -> lastRowOf(watch.steady) >= lastRow);
    long caughtUp = System.nanoTime();
    within("the resumed client to receive row " + lastRow, () -> lastRowOf(watch.resumed) >= lastRow);
    List<Long> all = LongStream.rangeClosed(1, lastRow).boxed().toList();
    assertThat(rowIds(watch.steady.changes())).as("the client connected throughout: every row once, in order")
        .containsExactlyElementsOf(all);
    List<SseTestClient.Event> resumedTwice = new ArrayList<>(watch.before);
    resumedTwice.addAll(watch.resumed.changes());
    assertThat(rowIds(resumedTwice)).as("the client that resumed with Last-Event-ID %s: every row once, in order",
        watch.lastSeen).containsExactlyElementsOf(all);
    assertThat(watch.steady.ended()).as("the steady client's stream stayed open").isFalse();
    assertThat(watch.steady.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
    assertThat(watch.resumed.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
    EventPosition resumeFrom = EventPosition.parse(watch.lastSeen);
    assertThat(EventPosition.parse(watch.resumed.changes().getFirst().id()).isAfter(resumeFrom)).isTrue();
    assertThat(runtime.isAlive()).as("the runtime process survived").isTrue();
    return new Outcome(lastRow, writer.retries(), peakRssKb(runtime.pid()), caughtUp);
  }

  private void awaitSubscriptions(int count) {
    within(count + " subscription(s)", () -> {
      List<HealthRecorder.Sample> samples = health.samples();
      return !samples.isEmpty() && samples.getLast().subscriptions() >= count;
    });
  }

  private HealthRecorder.Sample awaitReadyAgain(long since) {
    within("the runtime to be ready again", () -> health.firstReadyAfter(since) != null);
    return health.firstReadyAfter(since);
  }

  private void report(String fault, Outcome outcome, String health) {
    System.out.printf("FAULT %s: %d rows committed (%d writes retried), lost 0, repeated 0 for both clients;"
            + " %s; runtime peak RSS %d MB; no client closed%n", fault, outcome.lastRow, outcome.writerRetries,
        health, outcome.peakRssKb / 1024);
  }

  private record Outcome(long lastRow, long writerRetries, long peakRssKb, long caughtUpNanos) {
  }

  /** The two clients: one connected throughout, one that leaves during the fault and resumes after it. */
  private final class Watch {
    final SseTestClient steady;
    final SseTestClient resuming;
    List<SseTestClient.Event> before;
    String lastSeen;
    SseTestClient resumed;

    Watch(SseTestClient steady, SseTestClient resuming) {
      this.steady = steady;
      this.resuming = resuming;
    }

    void resumingLeaves() {
      resuming.close();
      before = resuming.changes();
      lastSeen = before.getLast().id();
    }

    void resumeAfterTheFault() {
      resumed = sse(lastSeen);
    }
  }

  // ---- helpers ----

  private SseTestClient sse(String lastEventId) {
    SseTestClient client = SseTestClient.open(java.net.URI.create("http://127.0.0.1:" + port + SSE_PATH),
        lastEventId);
    clients.add(client);
    return client;
  }

  private static long lastRowOf(SseTestClient client) {
    List<SseTestClient.Event> changes = client.changes();
    return changes.isEmpty() ? 0 : rowId(changes.getLast());
  }

  private static List<Long> rowIds(List<SseTestClient.Event> events) {
    return events.stream().map(DatabaseFaultIT::rowId).toList();
  }

  private static long rowId(SseTestClient.Event event) {
    try {
      return JSON.readTree(event.data()).get("new").get("id").asLong();
    } catch (IOException e) {
      throw new AssertionError("not a change: " + event, e);
    }
  }

  private String walStatus() throws java.sql.SQLException {
    try (var connection = postgres.connect(); var rows = connection.createStatement().executeQuery(
        "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private boolean slotActive() throws java.sql.SQLException {
    try (var connection = postgres.connect(); var rows = connection.createStatement().executeQuery(
        "SELECT 1 FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'")) {
      return rows.next();
    }
  }

  private static long peakRssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  private static long millisSince(long nanos) {
    return millisBetween(nanos, System.nanoTime());
  }

  private static long millisBetween(long from, long to) {
    return Duration.ofNanos(to - from).toMillis();
  }

  private void within(String what, Callable<Boolean> condition) {
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out after " + WAIT + " waiting for " + what + "\n"
          + (runtime == null ? "" : runtime.logTail()), e);
    }
  }
}
