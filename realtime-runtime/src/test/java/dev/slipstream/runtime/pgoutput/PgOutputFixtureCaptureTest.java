package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Regenerates the byte fixtures under {@code src/test/resources/pgoutput/} from a real embedded
 * PostgreSQL. Off by default so ordinary builds stay fast and fixtures stay stable (the decoder
 * tests assert values from them); {@link PgOutputDecoderIT} catches server format drift instead.
 * Regenerate with:
 *
 * <pre>
 * ./mvnw -pl realtime-runtime test -Dtest=PgOutputFixtureCaptureTest -Dslipstream.pgoutput.capture=true
 * </pre>
 *
 * then review the diff: LSNs, xids and timestamps change on every capture, and the decoder tests
 * assert some of them.
 */
class PgOutputFixtureCaptureTest {

  private static final String PROPERTY = "slipstream.pgoutput.capture";
  private static final String SKIP_REASON = "PgOutputFixtureCaptureTest skipped: it regenerates"
      + " src/test/resources/pgoutput/*.hex from a real PostgreSQL; run with -D" + PROPERTY
      + "=true to do so";

  private static final LogicalSlot SLOT = LogicalSlot.slipstreamDefaults("fixtures", "pub");

  /** A run of bulk inserts is cut to its first and last Insert to keep streamed fixtures small. */
  private static final UnaryOperator<List<byte[]>> FIRST_AND_LAST_INSERT_OF_EACH_RUN =
      PgOutputFixtureCaptureTest::firstAndLastInsertOfEachRun;

  /** 2,560 characters of hex from random(); the column's EXTERNAL storage skips compression. */
  private static final String RANDOM_TEXT =
      "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 80))";

  @Test
  void regeneratesFixturesFromRealPostgres() throws Exception {
    if (!Boolean.getBoolean(PROPERTY)) {
      System.out.println(SKIP_REASON); // Surefire's console shows only a count of skipped tests
      Assumptions.abort(SKIP_REASON);
    }
    // Started here rather than as an extension so a skipped run does not start a server.
    // 64kB (the minimum) makes a few thousand rows spill into streamed blocks.
    TestPostgres postgres = TestPostgres.logical().with("logical_decoding_work_mem", "64kB");
    postgres.start();
    try {
      captureAll(postgres);
    } finally {
      postgres.stop();
    }
    everyCapturedFixtureDecodes();
  }

  private static void captureAll(TestPostgres postgres) throws Exception {
    try (Connection connection = postgres.connect()) {
      setUp(connection);
      capture(connection, "insert", "Two inserts in one transaction: NULL, empty and UTF-8 text.",
          SLOT, UnaryOperator.identity(),
          "INSERT INTO orders VALUES (1, 'new', 12.50, NULL), (2, '', NULL, 'Grüße ✓')");
      capture(connection, "insert-proto1", "The same kind of insert with protocol version 1.",
          new LogicalSlot("fixtures", Map.of()).with("proto_version", "1")
              .with("publication_names", "pub"), UnaryOperator.identity(),
          "INSERT INTO orders VALUES (3, 'proto1', 1.00, NULL)");
      capture(connection, "update", "Update of a non-key column (no old tuple), then of the key "
          + "('K' old key).", SLOT, UnaryOperator.identity(),
          "UPDATE orders SET status = 'paid' WHERE id = 1",
          "UPDATE orders SET id = 20 WHERE id = 2");
      run(connection, "INSERT INTO order_audit (order_id, event) VALUES (1, 'created')");
      SLOT.get(connection);
      capture(connection, "update-identity-full", "Update on a REPLICA IDENTITY FULL table ('O').",
          SLOT, UnaryOperator.identity(), "UPDATE order_audit SET event = 'paid' WHERE order_id = 1");
      capture(connection, "delete", "Delete with default identity ('K'), then with FULL ('O').",
          SLOT, UnaryOperator.identity(),
          "DELETE FROM orders WHERE id = 20", "DELETE FROM order_audit WHERE order_id = 1");
      capture(connection, "truncate", "TRUNCATE of two tables with RESTART IDENTITY CASCADE, then "
          + "of one table without options.", SLOT, UnaryOperator.identity(),
          "TRUNCATE orders, order_audit RESTART IDENTITY CASCADE", "TRUNCATE orders");
      capture(connection, "logical-message", "Transactional messages (text, then bytes with a NUL) "
          + "and a non-transactional one.", SLOT, UnaryOperator.identity(),
          "BEGIN; SELECT pg_logical_emit_message(true, 'slipstream', '{\"hello\":\"world\"}');"
              + " SELECT pg_logical_emit_message(true, 'bytes', '\\x00ff'::bytea); COMMIT",
          // flush=true (PostgreSQL 17+): otherwise the unflushed record only reaches the next read
          "SELECT pg_logical_emit_message(false, 'slipstream', 'non-transactional', true)");
      capture(connection, "alter-table", "Insert, ALTER TABLE ADD COLUMN, insert: a second Relation.",
          SLOT, UnaryOperator.identity(),
          "INSERT INTO orders VALUES (4, 'before', 2.00, NULL)",
          "ALTER TABLE orders ADD COLUMN priority int DEFAULT 0",
          "INSERT INTO orders VALUES (5, 'after', 3.00, NULL, 7)");
      capture(connection, "custom-type", "Insert into a table with an enum column: Type message.",
          SLOT, UnaryOperator.identity(), "INSERT INTO moods VALUES (1, 'happy')");
      run(connection, "INSERT INTO documents VALUES (1, 'v1', " + RANDOM_TEXT + ")",
          "INSERT INTO documents_full VALUES (1, 'v1', " + RANDOM_TEXT + ")");
      SLOT.get(connection);
      capture(connection, "unchanged-toast", "Update of another column of rows whose 2.5 kB body "
          + "is stored out of line: 'u' in the new tuple; with FULL identity the 'O' old tuple "
          + "carries the whole body.", SLOT, UnaryOperator.identity(),
          "UPDATE documents SET title = 'v2' WHERE id = 1",
          "UPDATE documents_full SET title = 'v2' WHERE id = 1");
      capture(connection, "binary", "Insert with the binary option: 'b' values.",
          SLOT.with("binary", "true"), UnaryOperator.identity(),
          "INSERT INTO orders VALUES (6, 'binary', 3.25, NULL, 1)");
      capture(connection, "origin", "Insert under replication origin 'upstream': Origin message.",
          SLOT, UnaryOperator.identity(),
          "SELECT pg_replication_origin_session_setup('upstream'); BEGIN;"
              + " SELECT pg_replication_origin_xact_setup('0/1234ABCD', '2024-01-02 03:04:05+00');"
              + " INSERT INTO orders VALUES (7, 'replicated', NULL, NULL, 0); COMMIT;"
              + " SELECT pg_replication_origin_session_reset()");
      capture(connection, "streamed", "One large transaction streamed in blocks (streaming=on): "
          + "inserts, a transactional message, update, delete, an enum insert (Type) and a "
          + "truncate inside the stream, then Stream Commit.", SLOT,
          FIRST_AND_LAST_INSERT_OF_EACH_RUN,
          "BEGIN;"
              + " INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(1, 2000) g;"
              + " SELECT pg_logical_emit_message(true, 'slipstream', 'inside stream');"
              + " UPDATE orders SET status = 'streamed' WHERE id = 4;"
              + " DELETE FROM bulk WHERE id = 1;"
              + " INSERT INTO moods VALUES (2, 'sad');"
              + " TRUNCATE order_audit;"
              + " INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(2001, 3000) g;"
              + " COMMIT");
      capture(connection, "stream-abort-subtransaction", "A streamed transaction whose "
          + "savepoint is rolled back (Stream Abort of the subtransaction), then commits.", SLOT,
          FIRST_AND_LAST_INSERT_OF_EACH_RUN,
          "BEGIN;"
              + " INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(10001, 11500) g;"
              + " SAVEPOINT s1;"
              + " INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(11501, 13000) g;"
              + " ROLLBACK TO SAVEPOINT s1;"
              + " INSERT INTO bulk VALUES (20000, 'after rollback');"
              + " COMMIT");
      captureTopLevelAbort(postgres, connection, "stream-abort", SLOT);
      captureTopLevelAbort(postgres, connection, "stream-abort-parallel",
          SLOT.with("streaming", "parallel"));
    }
  }

  private static void everyCapturedFixtureDecodes() {
    for (String name : PgOutputFixture.NAMES) {
      PgOutputFixture fixture = PgOutputFixture.parse(name, read(name));
      List<PgOutputMessage> decoded = fixture.decodeAll();
      System.out.printf("%-28s %3d messages: %s%n", name, decoded.size(),
          decoded.stream().map(m -> m.getClass().getSimpleName()).toList());
      assertThat(decoded).isNotEmpty();
    }
  }

  private static void setUp(Connection connection) throws SQLException {
    run(connection,
        "CREATE TYPE mood AS ENUM ('happy', 'sad')",
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(10,2),"
            + " note text)",
        "CREATE TABLE order_audit (id bigserial PRIMARY KEY, order_id bigint, event text)",
        "ALTER TABLE order_audit REPLICA IDENTITY FULL",
        "CREATE TABLE moods (id int PRIMARY KEY, feeling mood)",
        "CREATE TABLE documents (id int PRIMARY KEY, title text, body text)",
        "ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL",
        "CREATE TABLE documents_full (id int PRIMARY KEY, title text, body text)",
        "ALTER TABLE documents_full ALTER COLUMN body SET STORAGE EXTERNAL",
        "ALTER TABLE documents_full REPLICA IDENTITY FULL",
        "CREATE TABLE bulk (id int PRIMARY KEY, payload text)",
        "CREATE PUBLICATION pub FOR ALL TABLES",
        "SELECT pg_replication_origin_create('upstream')");
    SLOT.create(connection);
  }

  /**
   * A streamed transaction that rolls back. PostgreSQL 16+ does not stream a transaction it
   * already knows aborted, and every SQL-interface call decodes after the fact, so this one is
   * read from a walsender session that streams the open transaction before the ROLLBACK.
   */
  private static void captureTopLevelAbort(TestPostgres postgres, Connection connection,
      String name, LogicalSlot slot) throws Exception {
    SLOT.get(connection);
    String insert = "BEGIN; INSERT INTO bulk SELECT g, md5(g::text)"
        + " FROM generate_series(50001, 51500) g";
    List<byte[]> all = new ArrayList<>();
    try (WalSenderStream stream = WalSenderStream.start(postgres, slot);
        Connection writer = postgres.connect()) {
      run(writer, insert);
      flushWal(connection);
      all.addAll(stream.readUntil(WalSenderStream::bytes, WalSenderStream.type('E'),
          Duration.ofSeconds(30)));
      run(writer, "ROLLBACK");
      flushWal(connection);
      all.addAll(stream.readUntil(WalSenderStream::bytes, WalSenderStream.type('A'),
          Duration.ofSeconds(30)));
    }
    write(connection, name, "A transaction streamed while still open (streaming="
        + slot.streaming().optionValue() + "), then rolled back: Stream Abort of the top level."
        + " Read from a walsender (pgjdbc replication API): the SQL interface never streams a"
        + " transaction that has already aborted.", slot,
        List.of(insert + " -- then, once a block was streamed: ROLLBACK"), all,
        firstAndLastInsertOfEachRun(all));
  }

  /** A commit with synchronous_commit=on flushes all WAL before it, other sessions' included. */
  private static void flushWal(Connection connection) throws SQLException {
    run(connection, "SELECT pg_current_xact_id()");
  }

  private static void capture(Connection connection, String name, String description,
      LogicalSlot slot, UnaryOperator<List<byte[]>> keep, String... statements)
      throws SQLException, IOException {
    SLOT.get(connection); // consume whatever earlier statements left, so the fixture is only this
    run(connection, statements);
    List<byte[]> all = slot.get(connection);
    write(connection, name, description + " Read with pg_logical_slot_get_binary_changes.", slot,
        List.of(statements), all, keep.apply(all));
  }

  private static void write(Connection connection, String name, String description,
      LogicalSlot slot, List<String> statements, List<byte[]> all, List<byte[]> kept)
      throws SQLException, IOException {
    StringBuilder text = new StringBuilder();
    text.append("# ").append(description).append('\n');
    text.append("# Captured by PgOutputFixtureCaptureTest from PostgreSQL ")
        .append(serverVersion(connection)).append(".\n");
    text.append(PgOutputFixture.OPTIONS_PREFIX).append(slot.describeOptions()).append('\n');
    for (String statement : statements) {
      text.append("# SQL: ").append(statement).append('\n');
    }
    if (kept.size() != all.size()) {
      text.append("# Kept ").append(kept.size()).append(" of ").append(all.size())
          .append(" messages: runs of Inserts cut to their first and last.\n");
    }
    for (byte[] message : kept) {
      text.append("# ").append(MessageTypes.describe(Byte.toUnsignedInt(message[0])))
          .append('\n');
      text.append(HexFormat.of().formatHex(message)).append('\n');
    }
    Files.createDirectories(fixtureDirectory());
    Files.writeString(fixtureDirectory().resolve(name + ".hex"), text, StandardCharsets.UTF_8);
    System.out.printf("captured %s: %d messages (%d before cutting)%n", name, kept.size(),
        all.size());
  }

  private static List<byte[]> firstAndLastInsertOfEachRun(List<byte[]> messages) {
    List<byte[]> kept = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      boolean insert = messages.get(i)[0] == 'I';
      boolean firstOfRun = i == 0 || messages.get(i - 1)[0] != 'I';
      boolean lastOfRun = i == messages.size() - 1 || messages.get(i + 1)[0] != 'I';
      if (!insert || firstOfRun || lastOfRun) {
        kept.add(messages.get(i));
      }
    }
    return kept;
  }

  private static void run(Connection connection, String... statements) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static String serverVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW server_version")) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static String read(String name) {
    try {
      return Files.readString(fixtureDirectory().resolve(name + ".hex"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The module's source tree (Surefire runs in the module directory), not target/. */
  private static Path fixtureDirectory() {
    return Path.of("src/test/resources/pgoutput").toAbsolutePath();
  }
}
