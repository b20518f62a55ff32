package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.postgres.TestPostgres;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The runtime restarted as a real process, cleanly (SIGTERM) and with {@code kill -9} while rows
 * are being committed: it resumes from its replication slot without losing a committed row, and
 * an SSE client that reconnects with {@code Last-Event-ID} gets every row exactly once across its
 * two connections (DESIGN principle 4 and the SSE resume contract).
 *
 * <p>After a kill the slot resends from its {@code confirmed_flush_lsn}, which trails what the
 * dead process had already sent (standby status goes out every 10 s), so the new process
 * dispatches again events the client already has; the position the client resumes from must drop
 * them. The kill scenario checks that this overlap really happened, so the test cannot pass
 * without exercising the skip.
 */
class RuntimeRestartIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(60);
  private static final String PUBLICATION = "restart_it";
  private static final String SSE_PATH = "/realtime/v1/sse?schema=public&table=ledger&event=INSERT";
  /** Upper bound of the kill scenario's writer: keeps the run bounded whatever the machine's speed. */
  private static final long WRITER_CAP = 20_000;
  /**
   * Larger than anything the kill scenario can commit, so the resume ring cannot overflow (that
   * path ends in a documented gap message, which is not what is under test here).
   */
  private static final int RING_EVENTS = 50_000;
  private static final Pattern METRIC_LINE = Pattern.compile("^(\\w+)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  private static HttpClient http;

  private String slot;
  private int port;
  private Path log;
  private RuntimeProcess runtime;
  private final List<RuntimeProcess> processes = new ArrayList<>();
  private final List<SseTestClient> clients = new ArrayList<>();
  private Writer writer;

  @BeforeAll
  static void createTableAndPublication() {
    postgres.execute(
        "CREATE TABLE ledger (id bigint PRIMARY KEY, body text NOT NULL, committed_at timestamptz DEFAULT now())",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE ledger WITH (publish = 'insert')");
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterAll
  static void closeHttp() {
    if (http != null) {
      http.close();
    }
  }

  @BeforeEach
  void freshSlotAndPort(TestInfo test) throws IOException {
    String method = test.getTestMethod().orElseThrow().getName();
    slot = "restart_" + Integer.toHexString(method.hashCode() & 0x7fffffff);
    postgres.execute("TRUNCATE ledger",
        "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    port = RuntimeProcess.freePort();
    log = Path.of("target", "runtime-restart-it", method + ".log");
    Files.deleteIfExists(log);
  }

  @AfterEach
  void killEverything() {
    processes.forEach(RuntimeProcess::close); // first, whatever else fails
    clients.forEach(SseTestClient::close);
    if (writer != null) {
      writer.stopQuietly();
    }
    try {
      // The walsender of a killed runtime lets go of the slot once it notices the closed socket.
      await().atMost(WAIT).until(() -> query("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot
          + "' AND active").equals("0"));
      postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
    } catch (RuntimeException e) {
      System.err.println("could not drop slot " + slot + ": " + e);
    }
  }

  @Test
  void aCleanRestartResumesFromTheSlotAndTheResumingClientGetsEveryLaterRowOnce() throws Exception {
    startRuntime("runtime-1");
    SseTestClient first = sse(null);
    awaitSubscriptions(1);
    // Ten transactions of three rows: positions within a transaction matter as much as between.
    commitInTransactions(1, 30, 3);
    within("the first SSE client to receive rows 1..30", () -> first.changes().size() >= 30, first);
    assertThat(rowIds(first.changes())).as(context(first)).containsExactlyElementsOf(range(1, 30));

    int exit = runtime.stop(EXIT_WAIT);
    assertThat(exit).as("SIGTERM ends the JVM through its shutdown hook (143)\n" + runtime.logTail()).isEqualTo(143);
    assertThat(runtime.logTail()).as("the runtime's shutdown hook ran").contains("Stopping");
    awaitStreamEnd(first);
    List<SseTestClient.Event> before = first.changes();
    assertThat(rowIds(before)).as(context(first)).containsExactlyElementsOf(range(1, 30));
    String lastSeen = before.getLast().id();
    // The slot normally trails the client (standby status goes out every 10 s), so the new process
    // has everything after lastSeen. Only if a status update confirmed the client's very last row
    // could a runtime not tell this client from one that missed rows; then a gap notice is fair.
    awaitSlotInactive();
    boolean slotReachesBackToLastSeen =
        Long.compareUnsigned(confirmedFlushLsn(), EventPosition.parse(lastSeen).commitLsn()) < 0;

    // Committed while no runtime runs: only the slot keeps them.
    commitInTransactions(31, 60, 3);

    startRuntime("runtime-2");
    SseTestClient resumed = sse(lastSeen);
    awaitSubscriptions(1);
    commitInTransactions(61, 63, 3);
    commitMarker(64);
    within("the resumed SSE client to receive the marker row 64", () -> hasRow(resumed, 64), resumed);

    if (slotReachesBackToLastSeen) {
      assertThat(resumed.events).as("no gap message: everything after %s is still in the slot\n%s", lastSeen,
          context(resumed)).noneMatch(e -> "system".equals(e.event()));
    }
    assertNoLossNoRepeat(before, resumed.changes(), range(1, 64), lastSeen);
    assertThat(rowIds(resumed.changes())).as(context(resumed)).containsExactlyElementsOf(range(31, 64));
    assertSlotActive();
  }

  @Test
  void aKill9WhileRowsAreCommittedLosesNoRowAndRepeatsNoneToTheResumingClient() throws Exception {
    startRuntime("runtime-1");
    SseTestClient first = sse(null);
    awaitSubscriptions(1);
    writer = new Writer(() -> first.changes().size());
    writer.start();
    within("the first SSE client to receive 300 rows while the writer commits",
        () -> first.changes().size() >= 300, first);

    writer.unpace(); // from now on as fast as the database takes them, across the kill
    long committedAtKill = writer.committed();
    int exit = runtime.kill(EXIT_WAIT);
    assertThat(exit).as("SIGKILL (137)").isEqualTo(137);
    // The slot's position as the dead process left it: what a new reader resumes from. Read once
    // its walsender has gone, so a status update still in flight is counted.
    awaitSlotInactive();
    long confirmedAfterKill = confirmedFlushLsn();
    within("the writer to commit 200 more rows with the runtime gone",
        () -> writer.committed() >= committedAtKill + 200, first);
    assertThat(writer.committed()).as("the writer was committing across the kill, not finished before it")
        .isLessThan(WRITER_CAP);
    writer.stop();
    long lastRow = writer.committed();
    awaitStreamEnd(first);
    List<SseTestClient.Event> before = first.changes();
    assertThat(before).as("the client received rows before the kill").hasSizeGreaterThanOrEqualTo(300);
    String lastSeen = before.getLast().id();
    EventPosition lastSeenPosition = EventPosition.parse(lastSeen);
    long alreadySeenButUnconfirmed = before.stream()
        .filter(e -> Long.compareUnsigned(EventPosition.parse(e.id()).commitLsn(), confirmedAfterKill) > 0)
        .count();
    System.out.printf("kill -9: %d rows committed at the kill, %d in all; the client had %d (last %s);"
            + " slot confirmed_flush_lsn %s; %d of the client's rows lie after it and will be sent again%n",
        committedAtKill, lastRow, before.size(), lastSeen, lsnText(confirmedAfterKill), alreadySeenButUnconfirmed);
    assertThat(alreadySeenButUnconfirmed)
        .as("the slot's confirmed_flush_lsn (%s) trails the client's last position (%s), so the restarted runtime"
            + " dispatches again rows this client already has: that overlap is what the resume must drop",
            lsnText(confirmedAfterKill), lastSeenPosition)
        .isPositive();

    startRuntime("runtime-2");
    SseTestClient resumed = sse(lastSeen);
    awaitSubscriptions(1);
    long marker = lastRow + 1;
    commitMarker(marker);
    within("the resumed SSE client to receive the marker row " + marker, () -> hasRow(resumed, marker), resumed);

    assertThat(resumed.events).as("no gap message after the restart\n%s", context(resumed))
        .noneMatch(e -> "system".equals(e.event()));
    assertNoLossNoRepeat(before, resumed.changes(), range(1, marker), lastSeen);
    assertSlotActive();
    // Every event the new process took from the slot is one the client got now or had already.
    double eventsIn = metric("slipstream_events_in_total");
    assertThat((long) eventsIn)
        .as("events the restarted runtime dispatched = rows the client already had again + rows it now received")
        .isEqualTo(alreadySeenButUnconfirmed + resumed.changes().size());
  }

  /**
   * A client that was away when the runtime restarted comes back with a position older than the
   * slot's {@code confirmed_flush_lsn}: the rows in between are gone from the slot, and the new
   * process never had them in its resume ring. It cannot replay them, so it must say so (the
   * {@code system} gap message, as when the ring has overflowed).
   */
  @Test
  void aClientResumingFromBeforeTheSlotsConfirmedPositionIsToldOfTheGap() throws Exception {
    startRuntime("runtime-1");
    SseTestClient away = sse(null);
    awaitSubscriptions(1);
    commitInTransactions(1, 3, 1);
    within("the client to receive rows 1..3", () -> away.changes().size() >= 3, away);
    String lastSeen = away.changes().getLast().id();
    away.close();
    awaitSubscriptions(0);

    SseTestClient present = sse(null);
    awaitSubscriptions(1);
    commitInTransactions(4, 6, 1);
    within("another client to receive rows 4..6", () -> present.changes().size() >= 3, present);
    long row6 = EventPosition.parse(present.changes().getLast().id()).commitLsn();
    // Standby status goes out every 10 s: the slot then confirms rows 4..6, and they are gone.
    within("the slot to confirm row 6", () -> Long.compareUnsigned(confirmedFlushLsn(), row6) > 0, present);
    runtime.stop(EXIT_WAIT);

    startRuntime("runtime-2");
    SseTestClient resumed = sse(lastSeen);
    awaitSubscriptions(1);
    commitMarker(7);
    within("the resumed client to receive the marker row 7", () -> hasRow(resumed, 7), resumed);
    assertThat(resumed.events)
        .as("rows 4..6 (after Last-Event-ID %s, confirmed before the restart) cannot be replayed, so the client"
            + " must be told of the gap\n%s", lastSeen, context(resumed))
        .anyMatch(e -> "system".equals(e.event()));
    assertThat(rowIds(resumed.changes())).containsExactly(7L);
  }

  // ---- the property under test ----

  /**
   * Across the connection before the restart and the resumed one: every committed row exactly
   * once, in commit order, each position after the one before, the resumed stream starting after
   * the {@code Last-Event-ID} it gave.
   */
  private void assertNoLossNoRepeat(List<SseTestClient.Event> before, List<SseTestClient.Event> after,
      List<Long> committed, String lastEventId) {
    List<SseTestClient.Event> all = new ArrayList<>(before);
    all.addAll(after);
    List<Long> received = rowIds(all);
    Map<Long, Integer> counts = new HashMap<>();
    received.forEach(id -> counts.merge(id, 1, Integer::sum));
    List<Long> repeated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted()
        .toList();
    List<Long> missing = committed.stream().filter(id -> !counts.containsKey(id)).toList();
    Set<Long> committedSet = new HashSet<>(committed);
    List<Long> unexpected = counts.keySet().stream().filter(id -> !committedSet.contains(id)).sorted().toList();
    String summary = "committed " + committed.size() + " rows; before the restart the client got " + before.size()
        + " (last id " + lastEventId + "), after it " + after.size() + "; repeated " + head(repeated) + ", missing "
        + head(missing) + ", unexpected " + head(unexpected) + "\nfirst events after the restart: "
        + head(after.stream().map(e -> e.id() + "=row " + rowId(e)).toList()) + "\n" + runtime.logTail();
    assertThat(repeated).as("rows delivered twice\n" + summary).isEmpty();
    assertThat(missing).as("committed rows never delivered\n" + summary).isEmpty();
    assertThat(unexpected).as("rows delivered that were never committed\n" + summary).isEmpty();
    assertThat(received).as("rows in commit order\n" + summary).containsExactlyElementsOf(committed);

    EventPosition resumeFrom = EventPosition.parse(lastEventId);
    if (!after.isEmpty()) {
      assertThat(EventPosition.parse(after.getFirst().id()).isAfter(resumeFrom))
          .as("the resumed stream starts after Last-Event-ID %s\n%s", lastEventId, summary).isTrue();
    }
    EventPosition previous = null;
    for (SseTestClient.Event event : all) {
      EventPosition position = EventPosition.parse(event.id());
      if (previous != null) {
        assertThat(position.isAfter(previous)).as("position %s after %s\n%s", position, previous, summary).isTrue();
      }
      previous = position;
    }
  }

  // ---- runtime process ----

  private void startRuntime(String name) {
    Map<String, String> env = RuntimeProcess.environment(postgres, slot, PUBLICATION, port,
        log.resolveSibling("spill-" + slot));
    env.put("SLIPSTREAM_RESUME_RING_EVENTS", String.valueOf(RING_EVENTS));
    runtime = RuntimeProcess.start(name, env, log);
    processes.add(runtime);
    RuntimeProcess process = runtime;
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError(process.name() + " exited with " + process.exitValue() + " before it was ready\n"
              + process.logTail());
        }
        return status("/readyz") == 200;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(process.name() + " not ready (GET /readyz != 200) within " + WAIT + "\n"
          + process.logTail(), e);
    }
  }

  private void awaitSubscriptions(int expected) {
    within("the runtime to count " + expected + " subscription(s)",
        () -> metric("slipstream_subscriptions") == expected, null);
  }

  private double metric(String name) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = METRIC_LINE.matcher(response.body());
      while (m.find()) {
        if (m.group(1).equals(name)) {
          return Double.parseDouble(m.group(3));
        }
      }
      return Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private int status(String path) {
    try {
      return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  // ---- SSE ----

  private SseTestClient sse(String lastEventId) {
    SseTestClient client = SseTestClient.open(uri(SSE_PATH), lastEventId);
    clients.add(client);
    return client;
  }

  /**
   * Waits until the client has read its stream to the end (the runtime is gone), so what it
   * recorded is final and its last id is the one a real client would resume from.
   */
  private void awaitStreamEnd(SseTestClient client) {
    within("the first SSE client's stream to end after the runtime exited", client::ended, client);
  }

  private static boolean hasRow(SseTestClient client, long id) {
    List<SseTestClient.Event> changes = client.changes();
    return !changes.isEmpty() && rowId(changes.getLast()) == id;
  }

  private static List<Long> rowIds(List<SseTestClient.Event> events) {
    return events.stream().map(RuntimeRestartIT::rowId).toList();
  }

  private static long rowId(SseTestClient.Event event) {
    try {
      JsonNode change = JSON.readTree(event.data());
      return change.get("new").get("id").asLong();
    } catch (IOException e) {
      throw new AssertionError("not a change: " + event, e);
    }
  }

  // ---- database ----

  /** Rows {@code from..to}, {@code perTransaction} rows in each transaction. */
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

  private static void commitMarker(long id) {
    postgres.execute("INSERT INTO ledger (id, body) VALUES (" + id + ", 'marker')");
  }

  private void awaitSlotInactive() {
    within("slot " + slot + " to be released by the stopped runtime's walsender", () -> "f".equals(
        query("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")), null);
  }

  private void assertSlotActive() {
    within("slot " + slot + " to be active again", () -> "t".equals(
        query("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")), null);
    String application = query("SELECT a.application_name FROM pg_replication_slots s JOIN pg_stat_replication a"
        + " ON a.pid = s.active_pid WHERE s.slot_name = '" + slot + "'");
    assertThat(application).as("the slot is held by the restarted runtime").isEqualTo("slipstream-runtime");
  }

  private long confirmedFlushLsn() {
    String text = query("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    int slash = text.indexOf('/');
    return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
  }

  private static String lsnText(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }

  private static String query(String sql) {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? String.valueOf(rows.getString(1)) : null;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /**
   * Commits rows 1, 2, 3, ... one per transaction. Until {@link #unpace()} it stays at most
   * {@link #MAX_LEAD} rows ahead of what the client has received, so a slow machine (or a cold
   * runtime) cannot let it run off; after that, as fast as the database takes them.
   */
  private static final class Writer {
    private static final long MAX_LEAD = 1000;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread = Thread.ofPlatform().name("ledger-writer").daemon().unstarted(this::run);
    private final LongSupplier received;
    private volatile boolean running = true;
    private volatile boolean paced = true;

    Writer(LongSupplier received) {
      this.received = received;
    }

    void unpace() {
      paced = false;
    }

    void start() {
      thread.start();
    }

    /** The highest id committed; every id up to it is committed too. */
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
        while (running && committed.get() < WRITER_CAP) {
          long id = committed.get() + 1;
          if (paced && id - received.getAsLong() > MAX_LEAD) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> !paced || !running || committed.get() - received.getAsLong() <= MAX_LEAD / 2);
          }
          insert.setLong(1, id);
          insert.executeUpdate(); // autocommit: returns once the commit is done
          committed.set(id);
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
      running = false;
      try {
        if (!thread.join(WAIT)) {
          throw new AssertionError("the writer did not stop within " + WAIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      committed();
    }
  }

  // ---- waiting with useful messages ----

  private void within(String what, Callable<Boolean> condition, SseTestClient client) {
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out after " + WAIT + " waiting for " + what + "\n"
          + (client == null ? "" : context(client) + "\n") + (runtime == null ? "" : runtime.logTail()), e);
    }
  }

  private static String context(SseTestClient client) {
    List<SseTestClient.Event> events = client.events;
    return "SSE client (status " + client.status + ") has " + events.size() + " events; last: "
        + (events.isEmpty() ? "none" : events.getLast());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static <T> String head(List<T> values) {
    return values.size() <= 20 ? values.toString() : values.subList(0, 20) + " ... (" + values.size() + " in all)";
  }
}
