package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.postgres.SlotState;
import dev.slipstream.operator.postgres.TenantDatabase;
import dev.slipstream.runtime.Main;
import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.faults.Toxiproxy;
import dev.slipstream.testing.faults.ToxiproxyProxy;
import dev.slipstream.testing.postgres.LedgerWriter;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tenant's slot survives a database failover. A PostgreSQL 17 primary and its streaming
 * standby (made with pg_backup_start/stop and a file copy); the operator's slot code creates the
 * tenant's slot as a failover slot; the primary has {@code synchronized_standby_slots} (no change
 * reaches the runtime before the standby has it) and {@code synchronous_standby_names} (no commit
 * is acknowledged to the writer before the standby has it). A runtime streams through a service
 * address (a Toxiproxy proxy) while a writer commits 50 rows a second through the same address,
 * and two SSE clients watch. Then the primary goes away, the standby is promoted and the address
 * moved to it: the runtime resumes from the standby's synchronized copy of the slot, and both
 * clients, the one connected throughout and the one that comes back with {@code Last-Event-ID},
 * end with every committed row exactly once, in order.
 *
 * <p>Prints one {@code FAULT ...} line with what it measured (docs/reliability.md).
 */
class SlotFailoverIT {

  @RegisterExtension
  static final TestPostgres primary = TestPostgres.logical();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String SLOT = "slipstream_failover_it";
  private static final String STANDBY_SLOT = "standby_slot";
  private static final String STANDBY_NAME = "failover_standby";
  private static final String PUBLICATION = "failover_it";
  private static final String SSE_PATH = "/realtime/v1/sse?schema=public&table=ledger&event=INSERT";
  private static final Pattern SUBSCRIPTIONS = Pattern.compile("^slipstream_subscriptions (\\S+)$", Pattern.MULTILINE);

  private TestPostgres standby;
  private Toxiproxy toxiproxy;
  private RealtimeRuntime runtime;
  private LedgerWriter writer;
  private final List<SseTestClient> clients = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopEverything() throws InterruptedException {
    if (writer != null) {
      writer.stop();
    }
    clients.forEach(SseTestClient::close);
    if (runtime != null) {
      runtime.close();
    }
    if (toxiproxy != null) {
      toxiproxy.close();
    }
    if (standby != null) {
      standby.stop();
    }
  }

  @Test
  void theRuntimeResumesFromTheSlotsSynchronizedCopyOnThePromotedStandby() throws Exception {
    primary.execute("SELECT pg_create_physical_replication_slot('" + STANDBY_SLOT + "', true)",
        "CREATE TABLE ledger (id bigint PRIMARY KEY, body text NOT NULL)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE ledger WITH (publish = 'insert')");
    standby = TestPostgres.standbyOf(primary, STANDBY_SLOT, STANDBY_NAME).start();
    primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'",
        "ALTER SYSTEM SET synchronous_standby_names = '" + STANDBY_NAME + "'", "SELECT pg_reload_conf()");
    within("the standby to stream synchronously", () -> "streaming,sync".equals(query(primary,
        "SELECT state || ',' || sync_state FROM pg_stat_replication WHERE application_name = '" + STANDBY_NAME + "'")));

    String createdAt;
    try (TenantDatabase db = TenantDatabase.open(new ConnectionSettings(primary.host(), primary.port(),
        primary.database(), primary.user(), primary.password(), "disable", ConnectionSettings.Timeouts.DEFAULT))) {
      SlotState slot = db.createSlot(SLOT, true);
      createdAt = slot.confirmedFlushLsn();
      assertThat(slot.failover()).isTrue();
      assertThat(slot.standbySlots().setting()).isEqualTo(STANDBY_SLOT);
      assertThat(slot.standbySlots().unusable()).isEmpty();
    }

    toxiproxy = Toxiproxy.start();
    ToxiproxyProxy address = toxiproxy.proxy("database", "127.0.0.1:" + primary.port());
    runtime = RealtimeRuntime.start(Main.fromEnvironment(runtimeEnvironment(address.port())));
    SseTestClient steady = sse(null);
    SseTestClient resuming = sse(null);
    within("two subscriptions", () -> subscriptions() >= 2);
    writer = LedgerWriter.ledger("jdbc:postgresql://127.0.0.1:" + address.port() + "/" + primary.database(),
        primary.user(), primary.password(), 50).start();
    within("both clients to receive 200 rows",
        () -> steady.changes().size() >= 200 && resuming.changes().size() >= 200);
    resuming.close();
    List<SseTestClient.Event> before = resuming.changes();
    String lastSeen = before.getLast().id();
    within("the standby's copy of the slot to be synchronized and persistent", () -> "true,false".equals(query(standby,
        "SELECT synced::text || ',' || temporary::text FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")));
    // The runtime confirms what it delivered with its status updates (every 10 s): wait until the
    // primary's slot has moved, and the copy has followed it there.
    String slotPosition = "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'";
    within("the runtime to confirm a position past the slot's start", () -> !query(primary, slotPosition)
        .equals(createdAt));
    String confirmed = query(primary, slotPosition);
    within("the standby's copy to reach " + confirmed, () -> "true".equals(query(standby, "SELECT (confirmed_flush_lsn >= '"
        + confirmed + "'::pg_lsn)::text FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")));
    String primaryPosition = query(primary, slotPosition);
    String copyPosition = query(standby, slotPosition);
    long committedBefore = writer.committed();
    long failoverStarted = System.nanoTime();
    address.disable(); // the primary is gone: nothing reaches it at its address any more
    primary.stop();
    long stopped = System.nanoTime();
    standby.promote();
    long promoted = System.nanoTime();
    address.upstream("127.0.0.1:" + standby.port()).enable();
    within("the writer to commit on the promoted standby", () -> writer.committed() > committedBefore + 10);
    within("the steady client to receive a row committed after the failover",
        () -> lastRowOf(steady) > committedBefore + 10);
    long receivingAgain = System.nanoTime();
    SseTestClient resumed = sse(lastSeen);

    long target = writer.committed() + 300;
    within("the writer to commit 300 more rows", () -> writer.committed() >= target);
    long lastRow = writer.stop();
    within("the steady client to receive row " + lastRow, () -> lastRowOf(steady) >= lastRow);
    within("the resumed client to receive row " + lastRow, () -> lastRowOf(resumed) >= lastRow);

    List<Long> all = LongStream.rangeClosed(1, lastRow).boxed().toList();
    assertThat(rowIds(steady.changes())).as("the client connected throughout: every row once, in order")
        .containsExactlyElementsOf(all);
    List<SseTestClient.Event> resumedTwice = new ArrayList<>(before);
    resumedTwice.addAll(resumed.changes());
    assertThat(rowIds(resumedTwice)).as("the client that resumed with Last-Event-ID %s: every row once, in order",
        lastSeen).containsExactlyElementsOf(all);
    assertThat(steady.ended()).as("the steady client's stream stayed open").isFalse();
    assertThat(steady.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
    assertThat(resumed.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
    assertThat(query(standby, "SELECT count(*)::text FROM ledger")).isEqualTo(String.valueOf(lastRow));

    System.out.printf("FAULT database failover (primary stopped, standby promoted with pg_promote, the address moved "
            + "to it): %d rows committed (%d committed before the failover, %d writes retried), lost 0, repeated 0 for "
            + "both clients; the slot's confirmed position just before: %s on the primary, %s in the standby's copy; "
            + "primary stopped in %d ms, promotion took %d ms, the steady client received new rows %d ms after the "
            + "address moved (%d ms after the primary went away)%n", lastRow, committedBefore, writer.retries(),
        primaryPosition, copyPosition, millis(failoverStarted, stopped), millis(stopped, promoted),
        millis(promoted, receivingAgain), millis(failoverStarted, receivingAgain));
  }

  private static long millis(long fromNanos, long toNanos) {
    return Duration.ofNanos(toNanos - fromNanos).toMillis();
  }

  private Map<String, String> runtimeEnvironment(int databasePort) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SLIPSTREAM_DB_HOST", "127.0.0.1");
    env.put("SLIPSTREAM_DB_PORT", String.valueOf(databasePort));
    env.put("SLIPSTREAM_DB_NAME", primary.database());
    env.put("SLIPSTREAM_DB_USER", primary.user());
    env.put("SLIPSTREAM_DB_PASSWORD", primary.password());
    env.put("SLIPSTREAM_DB_SSLMODE", "disable");
    env.put("SLIPSTREAM_SLOT", SLOT);
    env.put("SLIPSTREAM_PUBLICATIONS", PUBLICATION);
    env.put("SLIPSTREAM_HOST", "127.0.0.1");
    env.put("SLIPSTREAM_PORT", "0");
    env.put("SLIPSTREAM_SPILL_DIR", Files.createTempDirectory("slot-failover-spill").toString());
    env.put("SLIPSTREAM_RESUME_RING_EVENTS", "50000");
    env.put("SLIPSTREAM_DRAIN_WINDOW", "1s");
    return env;
  }

  private SseTestClient sse(String lastEventId) {
    SseTestClient client = SseTestClient.open(URI.create("http://127.0.0.1:" + runtime.port() + SSE_PATH), lastEventId);
    clients.add(client);
    return client;
  }

  private double subscriptions() throws IOException, InterruptedException {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = SUBSCRIPTIONS.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static long lastRowOf(SseTestClient client) {
    List<SseTestClient.Event> changes = client.changes();
    return changes.isEmpty() ? 0 : rowId(changes.getLast());
  }

  private static List<Long> rowIds(List<SseTestClient.Event> events) {
    return events.stream().map(SlotFailoverIT::rowId).toList();
  }

  private static long rowId(SseTestClient.Event event) {
    try {
      return JSON.readTree(event.data()).get("new").get("id").asLong();
    } catch (IOException e) {
      throw new AssertionError("not a change: " + event, e);
    }
  }

  private static String query(TestPostgres postgres, String sql) throws SQLException {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void within(String what, Callable<Boolean> condition) {
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out after " + WAIT + " waiting for " + what, e);
    }
  }
}
