package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.runtime.testing.TestReplication;
import dev.slipstream.runtime.transport.RealtimeServer;
import dev.slipstream.testing.postgres.TestPostgres;
import java.math.BigDecimal;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every supported column type through the whole pipeline (pgoutput text, decoder, value JSON,
 * SSE) compared with PostgreSQL's own {@code to_jsonb(row)} of the same row, which is what
 * Supabase Realtime clients see; plus the one deliberate difference (numeric that a double cannot
 * hold exactly is a string).
 */
class TypeMatrixIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static RealtimeRuntime runtime;

  private static final String COLUMNS = """
      id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, t text,
      vc varchar(20), c char(3), u uuid, j json, jb jsonb, d date, tm time, ttz timetz, ts timestamp,
      tstz timestamptz, iv interval, by bytea, ia int4[], ta text[], ma mood[], m mood, ip inet, bt bit(4),
      na numeric[], tsa timestamptz[], nested int4[][]""";

  private static final List<String> ROWS = List.of(
      """
      (1, true, 32767, -2147483648, 9007199254740993, 1.5, -0.000123, 12.50, 'plain',
       'vary', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, {"b": null}]}', '{"z": 1, "a": "x"}',
       '2024-02-29', '23:59:59.999999', '10:00:00+05:30', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05.678+02',
       '1 year 2 mons 3 days 04:05:06.7', '\\x00ff10', '{1,2,NULL}', '{"a b","with \\"quote\\"",NULL,"NULL"}',
       '{happy,sad}', 'happy', '192.168.0.1/24', B'1010', '{1.5,NULL}', '{"2024-01-02 03:04:05+00"}', '{{1,2},{3,4}}')""",
      """
      (2, false, -1, 0, -42, 'NaN', 'Infinity', 0, E'line\\nbreak "quoted" \\\\ back',
       '', '   ', '00000000-0000-0000-0000-000000000000', '[]', '"just a string"', '0044-03-15 BC', '00:00:00',
       '00:00:00-08', 'infinity', '-infinity', '-3 days -00:00:01', '\\x', '{}', '{}', '{}', 'sad', '::1', B'0000',
       '{}', '{}', '{}')""",
      "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
          + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

  @BeforeAll
  static void start() throws Exception {
    postgres.execute(
        "CREATE TYPE mood AS ENUM ('happy', 'sad')",
        "CREATE TABLE types (" + COLUMNS + ")",
        "CREATE PUBLICATION types_pub FOR TABLE types",
        "SELECT pg_create_logical_replication_slot('types_slot', 'pgoutput')");
    runtime = RealtimeRuntime.start(new RuntimeSettings(
        TestReplication.settings(postgres, "types_slot", "types_pub"),
        new RealtimeServer.Settings("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(15)), 100));
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void everyTypeArrivesAsToJsonbRendersIt() throws Exception {
    try (SseTestClient sse = SseTestClient.open(
        URI.create("http://127.0.0.1:" + runtime.port() + "/realtime/v1/sse?table=types&event=INSERT"), null)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.fanOut().index().size() == 1);
      for (String row : ROWS) {
        postgres.execute("INSERT INTO types VALUES " + row);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> sse.changes().size() >= ROWS.size());

      List<JsonNode> expected = toJsonbOfEveryRow();
      for (int i = 0; i < ROWS.size(); i++) {
        JsonNode actual = JSON.readTree(sse.changes().get(i).data()).get("new");
        JsonNode oracle = expected.get(i);
        if (i == 0) {
          // int8 beyond 2^53 stays an exact JSON number, digit for digit, as to_jsonb writes it.
          assertThat(actual.get("i8").bigIntegerValue()).hasToString("9007199254740993");
        }
        assertSameJson(actual, oracle, "row " + (i + 1));
      }
    }
  }

  @Test
  void numericBeyondADoubleIsAnExactString() throws Exception {
    try (SseTestClient sse = SseTestClient.open(
        URI.create("http://127.0.0.1:" + runtime.port() + "/realtime/v1/sse?table=types&event=INSERT&filter=id=eq.100"),
        null)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.fanOut().index().size() == 1);
      postgres.execute("INSERT INTO types (id, n, na) VALUES (100, 12345678901234567890.123456789, '{0.1,3.1415926535897932384}')");
      await().atMost(Duration.ofSeconds(60)).until(() -> !sse.changes().isEmpty());

      JsonNode row = JSON.readTree(sse.changes().getFirst().data()).get("new");
      assertThat(row.get("n").isTextual()).isTrue();
      assertThat(row.get("n").asText()).isEqualTo("12345678901234567890.123456789");
      assertThat(row.get("na").get(0).isNumber()).isTrue();
      assertThat(row.get("na").get(1).asText()).isEqualTo("3.1415926535897932384");
    }
  }

  private static List<JsonNode> toJsonbOfEveryRow() throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    try (Connection conn = postgres.connect(); Statement st = conn.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("SET IntervalStyle = 'postgres'");
      try (ResultSet rs = st.executeQuery("SELECT to_jsonb(r)::text FROM types r WHERE id < 100 ORDER BY id")) {
        while (rs.next()) {
          rows.add(JSON.readTree(rs.getString(1)));
        }
      }
    }
    return rows;
  }

  /** Same JSON, numbers compared by value (PostgreSQL writes 1e+100 where to_jsonb writes the digits). */
  private static void assertSameJson(JsonNode actual, JsonNode expected, String where) {
    if (expected.isNumber() && actual.isNumber()) {
      assertThat(new BigDecimal(actual.asText())).as(where).isEqualByComparingTo(new BigDecimal(expected.asText()));
    } else if (expected.isObject()) {
      assertThat(actual.isObject()).as(where + " is an object: " + actual).isTrue();
      List<String> names = new ArrayList<>();
      expected.fieldNames().forEachRemaining(names::add);
      List<String> actualNames = new ArrayList<>();
      actual.fieldNames().forEachRemaining(actualNames::add);
      assertThat(actualNames).as(where + " fields").containsExactlyInAnyOrderElementsOf(names);
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        assertSameJson(actual.get(field.getKey()), field.getValue(), where + "." + field.getKey());
      }
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as(where + " is an array: " + actual).isTrue();
      assertThat(actual.size()).as(where + " size").isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertSameJson(actual.get(i), expected.get(i), where + "[" + i + "]");
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }
}
