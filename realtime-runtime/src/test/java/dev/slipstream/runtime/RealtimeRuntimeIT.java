package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.phoenix.PhoenixSocketHandler;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.runtime.testing.TestReplication;
import dev.slipstream.runtime.testing.WebSocketTestClient;
import dev.slipstream.runtime.transport.RealtimeServer;
import dev.slipstream.testing.postgres.TestPostgres;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime end to end on a real PostgreSQL 17: rows committed in the database reach SSE and
 * WebSocket clients, filtered, once each, resumable, and a client that stops reading is cut off
 * without holding the others back.
 */
class RealtimeRuntimeIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long CLIENT_BUFFER = 1 << 20;

  private static RealtimeRuntime runtime;
  private static final java.util.Set<String> markers = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static EventLoopGroup clients;

  @BeforeAll
  static void startRuntime() throws Exception {
    postgres.execute(
        "CREATE TABLE messages (id bigint PRIMARY KEY, room text, body text, sent_at timestamptz DEFAULT now())",
        "ALTER TABLE messages REPLICA IDENTITY FULL",
        "CREATE PUBLICATION runtime_it FOR TABLE messages",
        "SELECT pg_create_logical_replication_slot('runtime_it', 'pgoutput')");
    runtime = RealtimeRuntime.start(new RuntimeSettings(
        TestReplication.settings(postgres, "runtime_it", "runtime_it"),
        new RealtimeServer.Settings("127.0.0.1", 0, CLIENT_BUFFER, 1 << 20, Duration.ofSeconds(15)),
        1000, dev.slipstream.runtime.auth.AuthSettings.disabled(), dev.slipstream.runtime.route.AccessPolicy.NONE,
        // A thousand clients join at once below: far above the default 500 joins a second, which
        // PhoenixChannelsTest covers.
        new dev.slipstream.runtime.limits.TenantLimits(50_000, 100, 1_000_000, 10_000, 1 << 20)));
    runtime.fanOut().onDatabaseMessage(message -> markers.add(new String(message.content(),
        java.nio.charset.StandardCharsets.UTF_8)));
    clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
  }

  @AfterAll
  static void stopRuntime() {
    if (clients != null) {
      clients.shutdownGracefully().syncUninterruptibly();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @BeforeEach
  void emptyTable() {
    postgres.execute("DELETE FROM messages");
    caughtUp();
  }

  /**
   * Waits until the runtime has dispatched everything committed so far: a marker message written
   * after it comes through the same stream, in commit order.
   */
  private static void caughtUp() {
    String marker = java.util.UUID.randomUUID().toString();
    postgres.execute("SELECT pg_logical_emit_message(true, 'test-sync', '" + marker + "')");
    await().atMost(WAIT).until(() -> markers.contains(marker));
  }

  @Test
  void anSseClientReceivesEachChangeShapedAsRealtimeDoes() throws Exception {
    try (SseTestClient sse = SseTestClient.open(uri("/realtime/v1/sse?schema=public&table=messages&event=*"), null)) {
      awaitSubscribed(1);
      postgres.execute(
          "INSERT INTO messages (id, room, body, sent_at) VALUES (1, 'lobby', 'hi', '2026-01-02 03:04:05.5+00')",
          "UPDATE messages SET body = 'hello' WHERE id = 1");

      await().atMost(WAIT).until(() -> sse.changes().size() >= 2);
      JsonNode insert = JSON.readTree(sse.changes().get(0).data());
      assertThat(insert.get("schema").asText()).isEqualTo("public");
      assertThat(insert.get("table").asText()).isEqualTo("messages");
      assertThat(insert.get("eventType").asText()).isEqualTo("INSERT");
      assertThat(insert.get("commit_timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(insert.get("new")).isEqualTo(JSON.readTree(
          "{\"id\":1,\"room\":\"lobby\",\"body\":\"hi\",\"sent_at\":\"2026-01-02T03:04:05.5+00:00\"}"));
      assertThat(insert.get("old")).isEqualTo(JSON.createObjectNode());
      JsonNode update = JSON.readTree(sse.changes().get(1).data());
      assertThat(update.get("eventType").asText()).isEqualTo("UPDATE");
      assertThat(update.get("new").get("body").asText()).isEqualTo("hello");
      assertThat(update.get("old").get("body").asText()).isEqualTo("hi");
      assertThat(sse.changes().get(0).id()).isLessThan(sse.changes().get(1).id());
    }
  }

  @Test
  void anSseFilterAdmitsOnlyMatchingRows() {
    try (SseTestClient sse = SseTestClient.open(
        uri("/realtime/v1/sse?table=messages&event=INSERT&filter=room=eq.lobby"), null)) {
      awaitSubscribed(1);
      postgres.execute(
          "INSERT INTO messages (id, room, body) VALUES (1, 'kitchen', 'no')",
          "INSERT INTO messages (id, room, body) VALUES (2, 'lobby', 'yes')",
          "UPDATE messages SET body = 'still no: not an insert' WHERE id = 2",
          "INSERT INTO messages (id, room, body) VALUES (3, 'lobby', 'yes again')");

      await().atMost(WAIT).until(() -> sse.changes().size() >= 2);
      // A marker row that matches proves nothing else is still on its way.
      postgres.execute("INSERT INTO messages (id, room, body) VALUES (4, 'lobby', 'marker')");
      await().atMost(WAIT).until(() -> sse.changes().size() >= 3);
      assertThat(sse.changes()).extracting(e -> body(e.data())).containsExactly("yes", "yes again", "marker");
    }
  }

  @Test
  void aBadSseRequestGetsASpecificError() throws Exception {
    HttpResponse<String> response = get("/realtime/v1/sse?table=messages&filter=room=like.x");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("unknown operator 'like'");
  }

  @Test
  void anSseClientCanSubscribeToATableAddedToThePublicationAMomentAgo() throws Exception {
    // The runtime has read its catalog: a table outside the publication is refused.
    await().atMost(WAIT).until(() -> get("/realtime/v1/sse?table=rooms_added").statusCode() == 400);
    postgres.execute("CREATE TABLE rooms_added (id bigint PRIMARY KEY, name text)",
        "ALTER PUBLICATION runtime_it ADD TABLE rooms_added");
    try (SseTestClient sse = SseTestClient.open(uri("/realtime/v1/sse?table=rooms_added&event=INSERT"), null)) {
      awaitSubscribed(1);
      // Admitted, not refused by the snapshot read before the table was added.
      await().atMost(WAIT).until(() -> sse.status == 200);
      postgres.execute("INSERT INTO rooms_added VALUES (1, 'lobby')");
      await().atMost(WAIT).until(() -> sse.changes().size() >= 1);
      assertThat(JSON.readTree(sse.changes().getFirst().data()).get("new").get("name").asText()).isEqualTo("lobby");
    } finally {
      postgres.execute("ALTER PUBLICATION runtime_it DROP TABLE rooms_added", "DROP TABLE rooms_added");
    }
  }

  @Test
  void anSseClientResumesWithLastEventIdWithoutRepeats() {
    String lastSeen;
    try (SseTestClient first = SseTestClient.open(uri("/realtime/v1/sse?table=messages"), null)) {
      awaitSubscribed(1);
      postgres.execute("INSERT INTO messages (id, room, body) VALUES (1, 'a', 'one')",
          "INSERT INTO messages (id, room, body) VALUES (2, 'a', 'two')");
      await().atMost(WAIT).until(() -> first.changes().size() >= 2);
      lastSeen = first.changes().get(1).id();
    }
    awaitSubscribed(0);
    postgres.execute("INSERT INTO messages (id, room, body) VALUES (3, 'a', 'three')",
        "INSERT INTO messages (id, room, body) VALUES (4, 'a', 'four')");

    try (SseTestClient resumed = SseTestClient.open(uri("/realtime/v1/sse?table=messages"), lastSeen)) {
      await().atMost(WAIT).until(() -> resumed.changes().size() >= 2);
      postgres.execute("INSERT INTO messages (id, room, body) VALUES (5, 'a', 'five')");
      await().atMost(WAIT).until(() -> resumed.changes().size() >= 3);
      assertThat(resumed.changes()).extracting(e -> body(e.data())).containsExactly("three", "four", "five");
    }
  }

  @Test
  void aThousandWebSocketClientsEachReceiveAChangeExactlyOnce() throws Exception {
    List<WebSocketTestClient> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) {
        WebSocketTestClient socket = WebSocketTestClient.connect(clients, wsUri("2.0.0"));
        socket.send("[\"1\",\"1\",\"realtime:room\",\"phx_join\",{\"config\":{\"postgres_changes\":"
            + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"messages\"}]}}]");
        sockets.add(socket);
      }
      awaitSubscribed(1000);
      await().atMost(WAIT).until(() -> sockets.stream().allMatch(s -> s.received.size() >= 2));

      postgres.execute("INSERT INTO messages (id, room, body) VALUES (42, 'room', 'to everyone')");

      await().atMost(WAIT).until(() -> sockets.stream().allMatch(s -> pushes(s).size() >= 1));
      // A second change proves the first arrived once: nothing else was queued before it.
      postgres.execute("INSERT INTO messages (id, room, body) VALUES (43, 'room', 'again')");
      await().atMost(WAIT).until(() -> sockets.stream().allMatch(s -> pushes(s).size() >= 2));
      for (WebSocketTestClient socket : sockets) {
        List<JsonNode> pushes = pushes(socket);
        assertThat(pushes).hasSize(2);
        JsonNode payload = pushes.getFirst().get(4);
        assertThat(payload.get("data").get("record").get("body").asText()).isEqualTo("to everyone");
        JsonNode reply = JSON.readTree(socket.received.getFirst());
        assertThat(payload.get("ids").get(0).asInt())
            .isEqualTo(reply.get(4).get("response").get("postgres_changes").get(0).get("id").asInt());
      }
    } finally {
      sockets.forEach(WebSocketTestClient::close);
      awaitSubscribed(0);
    }
  }

  @Test
  void aClientThatStopsReadingIsClosedWhileOthersReceiveEverything() throws Exception {
    double closedBefore = runtime.connectionMetrics().slowClientsClosed();
    String join = "{\"topic\":\"realtime:big\",\"event\":\"phx_join\",\"ref\":\"1\",\"join_ref\":\"1\","
        + "\"payload\":{\"config\":{\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\"}]}}}";
    try (WebSocketTestClient slow = WebSocketTestClient.connect(clients, wsUri("1.0.0"));
        WebSocketTestClient healthy = WebSocketTestClient.connect(clients, wsUri("1.0.0"))) {
      slow.send(join);
      healthy.send(join);
      awaitSubscribed(2);
      await().atMost(WAIT).until(() -> slow.received.size() >= 2 && healthy.received.size() >= 2);
      slow.stopReading();

      // 8 kB each, 12 MB in one transaction: a burst the healthy client drains and the stalled one cannot.
      int rows = 1500;
      postgres.execute("INSERT INTO messages (id, room, body) SELECT g, 'big', repeat('x', 8000) FROM generate_series(1, "
          + rows + ") g");

      await().atMost(WAIT).until(() -> runtime.connectionMetrics().slowClientsClosed() > closedBefore);
      await().atMost(WAIT).until(() -> healthy.received.stream().filter(m -> m.contains("postgres_changes")).count()
          >= rows);
      assertThat(healthy.isOpen()).isTrue();

      slow.resumeReading();
      assertThat(slow.closeCode.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(PhoenixSocketHandler.SLOW_CLIENT_CLOSE_CODE);
    }
  }

  @Test
  void replicationLagInBytesIsMeasuredAgainstTheServer() {
    postgres.execute("INSERT INTO messages (id, room, body) VALUES (1, 'a', 'lag')");
    // -1 until the probe has compared pg_current_wal_lsn() with a confirmed position.
    await().atMost(WAIT).until(() -> metric("slipstream_replication_lag_bytes") >= 0);
  }

  private static double metric(String name) throws Exception {
    return get("/metrics").body().lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst().orElse(Double.NaN);
  }

  @Test
  void healthReadinessAndMetricsAnswer() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.body()).contains("slipstream_events_in_total", "slipstream_slow_clients_closed_total",
        "slipstream_replication_lag_millis", "slipstream_subscriptions", "slipstream_connections",
        "slipstream_replication_lag_bytes", "slipstream_replication_last_dispatched_lsn");
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
  }

  private static List<JsonNode> pushes(WebSocketTestClient socket) {
    List<JsonNode> pushes = new ArrayList<>();
    for (String text : socket.received) {
      try {
        JsonNode message = JSON.readTree(text);
        if ("postgres_changes".equals(message.get(3).asText())) {
          pushes.add(message);
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return pushes;
  }

  private static String body(String data) {
    try {
      return JSON.readTree(data).get("new").get("body").asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void awaitSubscribed(int subscriptions) {
    await().atMost(WAIT).until(() -> runtime.fanOut().index().size() == subscriptions);
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + runtime.port() + path);
  }

  private static URI wsUri(String vsn) {
    return URI.create("ws://127.0.0.1:" + runtime.port() + "/realtime/v1/websocket?vsn=" + vsn);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
