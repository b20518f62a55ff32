package dev.slipstream.runtime.replication;

import static dev.slipstream.runtime.replication.CollectingSink.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.ChangeType;
import dev.slipstream.testing.postgres.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The replication source against a real PostgreSQL 17: every kind of change arrives, in order, once. */
class ReplicationSourceIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical()
      // Small, so that the large-transaction test really streams in-progress blocks.
      .with("logical_decoding_work_mem", "64kB");

  private static final AtomicInteger tests = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path spill;

  private String slot;
  private String table;
  private String publication;
  private final List<ReplicationSource> sources = new ArrayList<>();

  @BeforeEach
  void tableSlotAndPublication() {
    int n = tests.incrementAndGet();
    slot = "test_slot_" + n;
    table = "messages_" + n;
    publication = "pub_" + n;
    postgres.execute(
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, room text, body text, note text)",
        "CREATE PUBLICATION " + publication + " FOR TABLE " + table,
        "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
  }

  @AfterEach
  void stopSources() {
    sources.forEach(ReplicationSource::stop);
    // The walsender lets go of the slot a moment after the client's connection closes.
    await().atMost(WAIT).until(() -> !slotActive());
    postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
  }

  private boolean slotActive() throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
      query.setString(1, slot);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    }
  }

  @Test
  void insertUpdateDeleteTruncateAndMessagesArriveInCommitOrder() {
    CollectingSink sink = start(64L << 20);

    postgres.execute(
        "INSERT INTO " + table + " VALUES (1, 'lobby', 'hello', NULL)",
        "UPDATE " + table + " SET body = 'hello again' WHERE id = 1",
        "DELETE FROM " + table + " WHERE id = 1",
        "SELECT pg_logical_emit_message(true, 'slipstream', 'in a transaction')",
        "TRUNCATE " + table);

    await().atMost(WAIT).until(() -> sink.events.size() >= 5);
    List<ChangeEvent> events = sink.events;
    assertThat(events).hasSize(5);
    RowChange insert = (RowChange) events.get(0);
    assertThat(insert.type()).isEqualTo(ChangeType.INSERT);
    assertThat(insert.table().qualifiedName()).isEqualTo("public." + table);
    assertThat(values(insert.table(), insert.record()))
        .containsExactly(entry("id", "1"), entry("room", "lobby"), entry("body", "hello"), entry("note", "<null>"));
    assertThat(insert.oldRecord()).isNull();

    RowChange update = (RowChange) events.get(1);
    assertThat(update.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(values(update.table(), update.record())).containsEntry("body", "hello again");
    assertThat(update.oldRecord()).as("default replica identity, key unchanged: no old row").isNull();

    RowChange delete = (RowChange) events.get(2);
    assertThat(delete.type()).isEqualTo(ChangeType.DELETE);
    assertThat(delete.record()).isNull();
    assertThat(values(delete.table(), delete.oldRecord())).containsEntry("id", "1").containsEntry("body", "<null>");

    ChangeEvent.DatabaseMessage message = (ChangeEvent.DatabaseMessage) events.get(3);
    assertThat(message.prefix()).isEqualTo("slipstream");
    assertThat(new String(message.content(), StandardCharsets.UTF_8)).isEqualTo("in a transaction");

    ChangeEvent.TableTruncate truncate = (ChangeEvent.TableTruncate) events.get(4);
    assertThat(truncate.tables()).extracting(t -> t.table()).containsExactly(table);

    assertThat(events).extracting(ChangeEvent::position).isSorted().doesNotHaveDuplicates();
    assertThat(insert.commitTime()).isNotNull();
  }

  @Test
  void nonTransactionalMessagesArriveAtOnce() {
    CollectingSink sink = start(64L << 20);

    postgres.execute("SELECT pg_logical_emit_message(false, 'heartbeat', 'beat')");

    await().atMost(WAIT).until(() -> !sink.events.isEmpty());
    var message = (ChangeEvent.DatabaseMessage) sink.events.getFirst();
    assertThat(message.transactional()).isFalse();
    assertThat(message.prefix()).isEqualTo("heartbeat");
  }

  @Test
  void replicaIdentityFullCarriesTheWholeOldRow() {
    postgres.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
    CollectingSink sink = start(64L << 20);

    postgres.execute(
        "INSERT INTO " + table + " VALUES (7, 'lobby', 'before', 'n')",
        "UPDATE " + table + " SET body = 'after' WHERE id = 7");

    await().atMost(WAIT).until(() -> sink.rows().size() >= 2);
    RowChange update = sink.rows().get(1);
    assertThat(values(update.table(), update.oldRecord()))
        .containsExactly(entry("id", "7"), entry("room", "lobby"), entry("body", "before"), entry("note", "n"));
    assertThat(values(update.table(), update.record())).containsEntry("body", "after");
  }

  @Test
  void anUnchangedToastedValueIsMarkedNotNull() {
    CollectingSink sink = start(64L << 20);

    // Random text does not compress, so 20 kB of it is stored out of line (TOASTed).
    postgres.execute(
        "INSERT INTO " + table + " SELECT 1, 'lobby', string_agg(md5(random()::text), '') , 'n' FROM generate_series(1, 700)",
        "UPDATE " + table + " SET note = 'changed' WHERE id = 1");

    await().atMost(WAIT).until(() -> sink.rows().size() >= 2);
    RowChange update = sink.rows().get(1);
    assertThat(values(update.table(), update.record()))
        .containsEntry("body", "<unchanged-toast>")
        .containsEntry("note", "changed");
  }

  @Test
  void aSchemaChangeMidStreamIsPickedUp() {
    CollectingSink sink = start(64L << 20);

    postgres.execute(
        "INSERT INTO " + table + " VALUES (1, 'lobby', 'one', NULL)",
        "ALTER TABLE " + table + " ADD COLUMN priority int DEFAULT 3",
        "INSERT INTO " + table + " VALUES (2, 'lobby', 'two', NULL, 5)");

    await().atMost(WAIT).until(() -> sink.rows().size() >= 2);
    RowChange before = sink.rows().get(0);
    RowChange after = sink.rows().get(1);
    assertThat(before.table().columns()).hasSize(4);
    assertThat(values(after.table(), after.record())).containsEntry("priority", "5");
  }

  @Test
  void aLargeStreamedTransactionStaysWithinTheMemoryBound() {
    long bound = 4L << 20;
    CollectingSink sink = start(bound);
    int rows = 200_000;

    postgres.execute("INSERT INTO " + table
        + " SELECT g, 'room-' || (g % 10), 'body ' || g, NULL FROM generate_series(1, " + rows + ") g");

    await().atMost(Duration.ofMinutes(3)).until(() -> sink.rows().size() >= rows);
    assertThat(sink.rows()).hasSize(rows);
    assertThat(values(sink.rows().getLast().table(), sink.rows().getLast().record())).containsEntry("id", "" + rows);
    ReplicationSource source = sources.getFirst();
    // Published by the replication thread once the Stream Commit that handed the rows over returns.
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(source.spilledChanges()).as("changes written to disk").isPositive());
    assertThat(source.peakStreamedBytesInMemory()).as("streamed bytes held in memory").isLessThanOrEqualTo(bound);
    assertThat(sink.events).extracting(ChangeEvent::position).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void anAbortedStreamedTransactionDeliversNothing() {
    CollectingSink sink = start(64L << 20);

    postgres.execute("BEGIN; INSERT INTO " + table
        + " SELECT g, 'r', 'x', NULL FROM generate_series(1, 20000) g; ROLLBACK",
        "INSERT INTO " + table + " VALUES (-1, 'after', 'abort', NULL)");

    await().atMost(WAIT).until(() -> !sink.rows().isEmpty());
    assertThat(sink.rows()).singleElement()
        .satisfies(row -> assertThat(values(row.table(), row.record())).containsEntry("id", "-1"));
  }

  @Test
  void aDroppedConnectionIsResumedWithoutLossOrRepeat() {
    CollectingSink sink = start(64L << 20);
    postgres.execute("INSERT INTO " + table + " VALUES (1, 'a', 'one', NULL)");
    await().atMost(WAIT).until(() -> sink.rows().size() == 1);

    postgres.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    postgres.execute("INSERT INTO " + table + " VALUES (2, 'a', 'two', NULL)");

    await().atMost(WAIT).until(() -> sink.rows().size() >= 2 && sources.getFirst().connects() >= 2);
    assertThat(sink.rows()).extracting(row -> values(row.table(), row.record()).get("id")).containsExactly("1", "2");
  }

  /**
   * A reader stopped in the middle of a batch (its pod lost the Lease while a large transaction was
   * being handed to the fan-out) still ends the sink's batch. Before, the sink stayed in its batch
   * for good, and a pod that then followed another through the relay delivered nothing more to its
   * clients (a CI run of ClusterFaultsIT: no rows for 3 minutes after the API server came back).
   */
  @Test
  void aReaderStoppedInTheMiddleOfABatchEndsTheSinksBatch() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger starts = new AtomicInteger();
    AtomicInteger ends = new AtomicInteger();
    AtomicInteger rows = new AtomicInteger();
    ChangeSink sink = new ChangeSink() {
      @Override
      public void accept(ChangeEvent event) {
        if (event instanceof ChangeEvent.RowChange && rows.incrementAndGet() == 100) {
          blocked.countDown();
          try {
            release.await(); // the replication thread, inside the batch, until the test has stopped the reader
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void committed(long endLsn) {
      }

      @Override
      public void batchStarts() {
        starts.incrementAndGet();
      }

      @Override
      public void batchEnds() {
        ends.incrementAndGet();
      }
    };
    ReplicationSource source = start(sink, 64L << 20);
    postgres.execute("INSERT INTO " + table + " SELECT g, 'r', 'x', NULL FROM generate_series(1, 5000) g");
    assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the 100th row reaches the sink").isTrue();
    Thread stopper = Thread.ofPlatform().start(source::stop);
    await().atMost(WAIT).until(source::stopping);
    release.countDown();
    stopper.join(WAIT.toMillis());

    assertThat(starts.get()).as("batches begun").isPositive();
    assertThat(ends.get()).as("batches ended, once the reader stopped").isEqualTo(starts.get());
  }

  @Test
  void aNewReaderResumesFromTheConfirmedPosition() {
    CollectingSink first = start(64L << 20);
    postgres.execute("INSERT INTO " + table + " VALUES (1, 'a', 'one', NULL)");
    await().atMost(WAIT).until(() -> first.commits.get() >= 1);
    // Wait until PostgreSQL has the confirmation (sent with the next status update).
    long confirmed = first.committedLsn.get();
    await().atMost(WAIT).until(() -> confirmedFlushLsn() >= confirmed);
    sources.getFirst().stop();

    postgres.execute("INSERT INTO " + table + " VALUES (2, 'a', 'two', NULL)");
    CollectingSink second = start(64L << 20);

    await().atMost(WAIT).until(() -> !second.rows().isEmpty());
    assertThat(second.rows()).extracting(row -> values(row.table(), row.record()).get("id")).containsExactly("2");
  }

  private long confirmedFlushLsn() throws Exception {
    try (var conn = postgres.connect(); var st = conn.createStatement();
        var rs = st.executeQuery("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
            + slot + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private CollectingSink start(long memoryBound) {
    CollectingSink sink = new CollectingSink();
    start(sink, memoryBound);
    return sink;
  }

  private ReplicationSource start(ChangeSink sink, long memoryBound) {
    ReplicationSource source = new ReplicationSource(new ReplicationSettings(postgres.host(), postgres.port(),
        postgres.database(), postgres.user(), postgres.password(), "disable", slot,
        List.of(publication), memoryBound, spill, Duration.ofMillis(200), Duration.ofSeconds(2)),
        sink, Clock.systemUTC());
    sources.add(source);
    source.start();
    return source;
  }

  private static java.util.Map.Entry<String, String> entry(String key, String value) {
    return java.util.Map.entry(key, value);
  }
}
