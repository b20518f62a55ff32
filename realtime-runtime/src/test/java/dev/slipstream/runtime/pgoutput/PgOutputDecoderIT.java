package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.pgoutput.PgOutputMessage.Begin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Commit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Delete;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Insert;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.LogicalMessage;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Origin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Relation;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamAbort;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamCommit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStart;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStop;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Streamable;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Truncate;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Type;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Update;
import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decodes what the running PostgreSQL sends now, not what it sent when the fixtures were
 * captured, so a change in the server's format fails here. One workload touches every message
 * type; the slot is peeked (not consumed) once per protocol version and streaming mode.
 */
class PgOutputDecoderIT {

  @RegisterExtension
  static final TestPostgres postgres =
      TestPostgres.logical().with("logical_decoding_work_mem", "64kB");

  private static final Set<Class<?>> COMMITTED_TYPES = Set.of(Begin.class, Commit.class,
      Origin.class, Relation.class, Type.class, Insert.class, Update.class, Delete.class,
      Truncate.class, LogicalMessage.class);
  private static final Set<Class<?>> STREAM_TYPES = Set.of(StreamStart.class, StreamStop.class,
      StreamCommit.class, StreamAbort.class);

  @BeforeAll
  static void runWorkload() throws Exception {
    postgres.execute(
        "CREATE TYPE mood AS ENUM ('happy', 'sad')",
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, note text)",
        "CREATE TABLE audit (id int PRIMARY KEY, event text)",
        "ALTER TABLE audit REPLICA IDENTITY FULL",
        "CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
        "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
        "CREATE TABLE moods (id int PRIMARY KEY, feeling mood)",
        "CREATE TABLE bulk (id int PRIMARY KEY, payload text)",
        "CREATE PUBLICATION it_pub FOR ALL TABLES",
        "SELECT pg_replication_origin_create('it_origin')");
    try (Connection connection = postgres.connect()) {
      LogicalSlot.slipstreamDefaults("it_sql", "it_pub").create(connection);
    }
    postgres.execute(
        "INSERT INTO orders VALUES (1, 'new', NULL)",
        "UPDATE orders SET status = 'paid' WHERE id = 1",
        "UPDATE orders SET id = 2 WHERE id = 1",
        "INSERT INTO audit VALUES (1, 'created')",
        "UPDATE audit SET event = 'paid'",
        "DELETE FROM audit",
        "INSERT INTO docs VALUES (1, 'v1',"
            + " (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 80)))",
        "UPDATE docs SET title = 'v2'",
        "INSERT INTO moods VALUES (1, 'happy')",
        "ALTER TABLE orders ADD COLUMN priority int",
        "INSERT INTO orders VALUES (3, 'new', NULL, 1)",
        "BEGIN; SELECT pg_logical_emit_message(true, 'it', 'transactional'); COMMIT",
        "SELECT pg_logical_emit_message(false, 'it', 'non-transactional', true)",
        // The explicit COMMIT comes before the reset: pgjdbc runs a multi-statement string as
        // one implicit transaction, which would otherwise commit without the origin.
        "SELECT pg_replication_origin_session_setup('it_origin');"
            + " BEGIN; INSERT INTO orders VALUES (4, 'replicated', NULL, 0); COMMIT;"
            + " SELECT pg_replication_origin_session_reset()",
        "BEGIN; INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(1, 1500) g;"
            + " SAVEPOINT s1;"
            + " INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(1501, 3000) g;"
            + " ROLLBACK TO SAVEPOINT s1; INSERT INTO bulk VALUES (9999, 'last'); COMMIT",
        "DELETE FROM orders WHERE id = 2",
        "TRUNCATE bulk");
  }

  @ParameterizedTest(name = "proto_version={0} streaming={1} binary={2}")
  @CsvSource({"1,off,false", "2,on,false", "3,on,false", "4,on,false", "4,parallel,false",
      "4,on,true"})
  void decodesEveryMessageTheServerSendsNow(int version, String streaming, boolean binary)
      throws Exception {
    LogicalSlot slot = LogicalSlot.slipstreamDefaults("it_sql", "it_pub")
        .with("proto_version", Integer.toString(version)).with("streaming", streaming)
        .with("binary", Boolean.toString(binary));
    List<byte[]> live;
    try (Connection connection = postgres.connect()) {
      live = slot.peek(connection);
    }
    PgOutputDecoder decoder = new PgOutputDecoder(version, slot.streaming());
    List<PgOutputMessage> messages = live.stream().map(decoder::decode).toList();
    assertThat(decoder.inStreamedBlock()).isFalse();

    Set<Class<?>> seen = messages.stream().map(Object::getClass).collect(Collectors.toSet());
    assertThat(seen).containsAll(COMMITTED_TYPES);
    if (slot.streaming() == StreamingMode.OFF) {
      assertThat(seen).doesNotContainAnyElementsOf(STREAM_TYPES);
      // Without streaming, the rolled-back savepoint's rows never leave the server.
      assertThat(insertsInto("bulk", messages)).isEqualTo(1501);
    } else {
      assertThat(seen).containsAll(STREAM_TYPES);
      assertThat(messages).filteredOn(StreamAbort.class::isInstance).map(StreamAbort.class::cast)
          .singleElement().satisfies(abort -> {
            assertThat(abort.isSubtransaction()).isTrue();
            assertThat(abort.hasAbortDetails()).isEqualTo(slot.streaming() == StreamingMode.PARALLEL);
          });
    }
    Update toastUpdate = updatesOf("docs", messages).getFirst();
    assertThat(toastUpdate.newTuple().get(2)).isEqualTo(ColumnValue.UNCHANGED_TOAST);
    Insert firstOrder = messages.stream().filter(Insert.class::isInstance)
        .map(Insert.class::cast).findFirst().orElseThrow();
    assertThat(firstOrder.newTuple().get(0))
        .isInstanceOf(binary ? ColumnValue.Binary.class : ColumnValue.Text.class);
  }

  @Test
  void decodesTheWalSenderStreamAsPgjdbcDeliversIt() throws Exception {
    LogicalSlot slot = LogicalSlot.slipstreamDefaults("it_walsender", "it_pub");
    // Its own table, so the other test's counts do not depend on which test runs first.
    postgres.execute("CREATE TABLE ws_bulk (id int PRIMARY KEY, payload text)");
    try (Connection connection = postgres.connect()) {
      slot.create(connection);
    }
    PgOutputDecoder decoder = new PgOutputDecoder(4, StreamingMode.ON);
    List<PgOutputMessage> messages;
    try (WalSenderStream stream = WalSenderStream.start(postgres, slot)) {
      postgres.execute("INSERT INTO orders VALUES (10, 'walsender', NULL, 0)",
          "BEGIN; INSERT INTO ws_bulk SELECT g, md5(g::text) FROM generate_series(1, 1500) g;"
              + " COMMIT");
      // pgjdbc's own buffer goes to the decoder, as it will in the runtime.
      messages = stream.readUntil(decoder::decode, StreamCommit.class::isInstance,
          Duration.ofSeconds(30));
    }

    assertThat(messages.subList(0, 4)).map(m -> m.getClass().getSimpleName())
        .containsExactly("Begin", "Relation", "Insert", "Commit");
    long xid = ((StreamStart) messages.get(4)).xid();
    assertThat(messages.subList(4, messages.size())).filteredOn(Streamable.class::isInstance)
        .map(Streamable.class::cast)
        .allSatisfy(change -> assertThat(change.streamXid()).isEqualTo(xid));
    assertThat(insertsInto("ws_bulk", messages)).isEqualTo(1500);
    assertThat(((StreamCommit) messages.getLast()).xid()).isEqualTo(xid);
  }

  /** Inserts into the named table, resolving relation OIDs through the Relation messages. */
  private static long insertsInto(String table, List<PgOutputMessage> messages) {
    int oid = relationOid(table, messages);
    return messages.stream().filter(m -> m instanceof Insert i && i.relationOid() == oid).count();
  }

  private static List<Update> updatesOf(String table, List<PgOutputMessage> messages) {
    int oid = relationOid(table, messages);
    return messages.stream().filter(m -> m instanceof Update u && u.relationOid() == oid)
        .map(Update.class::cast).toList();
  }

  private static int relationOid(String table, List<PgOutputMessage> messages) {
    return messages.stream().filter(m -> m instanceof Relation r && r.name().equals(table))
        .map(m -> ((Relation) m).relationOid()).findFirst().orElseThrow();
  }
}
