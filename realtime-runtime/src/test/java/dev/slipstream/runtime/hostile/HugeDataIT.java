package dev.slipstream.runtime.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.postgres.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Huge data through a runtime process whose heap is capped ({@code -Xmx384m}, {@link RuntimeProcess}):
 * a transaction of a million rows, and 50 MB of TOASTed values in one transaction, some of whose rows
 * are over the 1 MiB a change may encode to. Everything arrives, rows over the limit as Supabase
 * sends them (small values and {@code errors: ["Error 413: Payload Too Large"]}), and the process's
 * resident memory stays bounded (sampled from {@code /proc/<pid>/status} every 100 ms).
 */
class HugeDataIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final Path OUT = Path.of("target", "huge-data");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Far below what holding a million decoded rows, or 50 MB of values twice over, would take. */
  private static final long RSS_BOUND = 700 * ProcessMemory.MB;
  private static RuntimeProcess runtime;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    postgres.execute(
        "CREATE TABLE big (id bigint PRIMARY KEY, bucket int NOT NULL, body text NOT NULL)",
        "CREATE TABLE blobs (id bigint PRIMARY KEY, label text NOT NULL, body text NOT NULL)",
        "CREATE PUBLICATION huge FOR TABLE big, blobs",
        "SELECT pg_create_logical_replication_slot('huge', 'pgoutput')");
    port = RuntimeProcess.freePort();
    Map<String, String> env = RuntimeProcess.environment(postgres, "huge", "huge", port, OUT.resolve("spill"));
    Path log = OUT.resolve("runtime.log");
    Files.createDirectories(OUT);
    Files.deleteIfExists(log);
    runtime = RuntimeProcess.start("huge-data", env, log);
    await().atMost(WAIT).until(() -> status("/readyz") == 200);
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void aMillionRowTransactionStreamsThroughInBoundedMemory() {
    try (ProcessMemory memory = ProcessMemory.sample(runtime.pid(), 100);
        SseTestClient sse = SseTestClient.open(uri("/realtime/v1/sse?table=big&event=INSERT&filter=bucket=eq.0"), null)) {
      await().atMost(WAIT).until(() -> sse.status == 200);
      long started = System.nanoTime();
      postgres.execute("INSERT INTO big SELECT g, g % 1000, 'row ' || g FROM generate_series(1, 1000000) g");
      long committed = System.nanoTime();
      // Every thousandth row matches the filter: the last one (id 1,000,000) arrives after all the others were decoded.
      await().atMost(WAIT).until(() -> sse.changes().size() >= 1000 || !runtime.isAlive());
      long delivered = System.nanoTime();
      assertThat(runtime.isAlive()).as(runtime.logTail()).isTrue();
      assertThat(sse.changes()).hasSize(1000);
      assertThat(id(sse.changes().getLast())).isEqualTo(1_000_000L);
      System.out.printf("[huge-data] 1,000,000-row transaction: committed in %d ms, through the runtime %d ms after "
              + "the commit; runtime RSS peak %s (%d samples)%n", (committed - started) / 1_000_000,
          (delivered - committed) / 1_000_000, ProcessMemory.mb(memory.peakBytes()), memory.samples());
      assertThat(memory.peakBytes()).isLessThan(RSS_BOUND);
    }
  }

  @Test
  void fiftyMegabytesOfToastedValuesStreamThroughAndRowsOverTheLimitSayPayloadTooLarge() throws Exception {
    try (ProcessMemory memory = ProcessMemory.sample(runtime.pid(), 100);
        SseTestClient sse = SseTestClient.open(uri("/realtime/v1/sse?table=blobs&event=INSERT"), null)) {
      await().atMost(WAIT).until(() -> sse.status == 200);
      // About 50 MB of values, stored out of line (TOAST): one transaction of 12 rows of 900,000
      // characters (under the 1 MiB limit; 10.8 MB at once to one client, within what a client may
      // fall behind) and 5 of 2,000,000 (over it), then 33 rows of 900,000 one transaction each.
      postgres.execute(blobs(1, 17, "CASE WHEN g <= 12 THEN 28125 ELSE 62500 END"));
      await().atMost(WAIT).until(() -> sse.changes().size() >= 17 || !runtime.isAlive() || sse.ended());
      for (int id = 18; id <= 50; id++) {
        postgres.execute(blobs(id, id, "28125"));
        int expected = id;
        await().atMost(WAIT).until(() -> sse.changes().size() >= expected || !runtime.isAlive() || sse.ended());
      }
      assertThat(runtime.isAlive()).as(runtime.logTail()).isTrue();
      assertThat(sse.ended()).as("the stream ended: " + sse.failure).isFalse();
      List<JsonNode> rows = sse.changes().stream().map(HugeDataIT::json).toList();
      assertThat(rows).hasSize(50);
      for (JsonNode row : rows) {
        if (row.get("new").get("id").asLong() >= 13 && row.get("new").get("id").asLong() <= 17) {
          continue;
        }
        assertThat(row.get("new").get("body").asText()).hasSize(900_000);
        assertThat(row.get("errors").isNull()).isTrue();
      }
      for (JsonNode row : rows.subList(12, 17)) {
        assertThat(row.get("new").has("body")).as("a value over 64 bytes of a row over the limit").isFalse();
        assertThat(row.get("new").get("label").asText()).startsWith("blob ");
        assertThat(row.get("errors").get(0).asText()).isEqualTo("Error 413: Payload Too Large");
      }
      System.out.printf("[huge-data] 50 MB of TOASTed values (17 rows in one transaction, 33 in one each): runtime RSS peak %s%n",
          ProcessMemory.mb(memory.peakBytes()));
      assertThat(memory.peakBytes()).isLessThan(RSS_BOUND);
    }
  }

  /** Inserts rows {@code from..to} of {@code blobs} in one statement, each body 32 × {@code chunks} (SQL of g) characters of md5 hex. */
  private static String blobs(int from, int to, String chunks) {
    return "INSERT INTO blobs SELECT g, 'blob ' || g, (SELECT string_agg(md5(random()::text || g || s), '') "
        + "FROM generate_series(1, " + chunks + ") s) FROM generate_series(" + from + ", " + to + ") g";
  }

  private static long id(SseTestClient.Event event) {
    return json(event).get("new").get("id").asLong();
  }

  private static JsonNode json(SseTestClient.Event event) {
    try {
      return JSON.readTree(event.data());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static int status(String path) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
