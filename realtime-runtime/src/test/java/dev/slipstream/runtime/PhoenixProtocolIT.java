package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.TestTokens;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.AccessPolicy;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Phoenix protocol over real sockets on a runtime that requires tokens, enforces claim rules
 * and small limits: what realtime-js never sends (oversized frames, malformed JSON, a topic joined
 * twice, joins over the limit) and what the handshake refuses.
 */
class PhoenixProtocolIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int MAX_FRAME = 64 * 1024;
  private static final int MAX_CLIENTS = 6;

  private static RealtimeRuntime runtime;
  private static EventLoopGroup clients;

  @BeforeAll
  static void startRuntime() throws Exception {
    postgres.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, item text)",
        "ALTER TABLE orders REPLICA IDENTITY FULL",
        "CREATE PUBLICATION protocol_it FOR TABLE orders",
        "SELECT pg_create_logical_replication_slot('protocol_it', 'pgoutput')");
    runtime = RealtimeRuntime.start(new RuntimeSettings(
        TestReplication.settings(postgres, "protocol_it", "protocol_it"),
        new RealtimeServer.Settings("127.0.0.1", 0, 1 << 20, MAX_FRAME, Duration.ofSeconds(15)),
        1000,
        AuthSettings.withSecret(TestTokens.SECRET),
        AccessPolicy.parse("public.orders:customer_id=sub"),
        new TenantLimits(MAX_CLIENTS, 3, 1000, 1000, 4096)));
    clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    await().atMost(WAIT).until(() -> get("/readyz", null).statusCode() == 200);
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

  private static String token(String sub) {
    return TestTokens.hs256(TestTokens.SECRET, Map.of("role", "authenticated", "sub", sub,
        "exp", Instant.now().plusSeconds(3600).getEpochSecond()));
  }

  private static WebSocketTestClient socket(String token) throws Exception {
    return WebSocketTestClient.connect(clients, URI.create("ws://127.0.0.1:" + runtime.port()
        + "/realtime/v1/websocket?vsn=2.0.0&apikey=" + token));
  }

  private static JsonNode message(WebSocketTestClient socket, int index) throws Exception {
    await().atMost(WAIT).until(() -> socket.received.size() > index);
    return JSON.readTree(socket.received.get(index));
  }

  @Test
  void theHandshakeRefusesAMissingOrExpiredKeyWithSupabasesStatusAndBody() throws Exception {
    HttpResponse<String> missing = get("/realtime/v1/websocket?vsn=2.0.0", null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(missing.body())).isEqualTo(JSON.readTree("{\"error\":\"API key is missing\"}"));

    String expired = TestTokens.hs256(TestTokens.SECRET, "anon", Instant.now().minusSeconds(30));
    HttpResponse<String> old = get("/realtime/v1/websocket?vsn=2.0.0&apikey=" + expired, null);
    assertThat(old.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(old.body()).get("error").asText()).isEqualTo("Token has expired");

    HttpResponse<String> sse = get("/realtime/v1/sse?table=orders", "Bearer " + expired);
    assertThat(sse.statusCode()).isEqualTo(401);
  }

  @Test
  void eachSubscriberReceivesOnlyTheRowsItsClaimAllows() throws Exception {
    try (WebSocketTestClient one = socket(token("1"));
        WebSocketTestClient two = socket(token("2"));
        SseTestClient sseOne = SseTestClient.open(URI.create("http://127.0.0.1:" + runtime.port()
            + "/realtime/v1/sse?table=orders&apikey=" + token("1")), null)) {
      String join = "[\"1\",\"1\",\"realtime:orders\",\"phx_join\",{\"config\":{\"postgres_changes\":"
          + "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"orders\"}]}}]";
      one.send(join);
      two.send(join);
      assertThat(message(one, 0).get(4).get("status").asText()).isEqualTo("ok");
      assertThat(message(two, 0).get(4).get("status").asText()).isEqualTo("ok");
      await().atMost(WAIT).until(() -> runtime.fanOut().index().size() == 3);

      postgres.execute("INSERT INTO orders VALUES (10, 1, 'for one'), (11, 2, 'for two'), (12, 3, 'for three')",
          "INSERT INTO orders VALUES (13, 1, 'sentinel one'), (14, 2, 'sentinel two')");

      await().atMost(WAIT).until(() -> items(one).contains("sentinel one") && items(two).contains("sentinel two")
          && sseOne.changes().size() >= 2);
      assertThat(items(one)).containsExactly("for one", "sentinel one");
      assertThat(items(two)).containsExactly("for two", "sentinel two");
      assertThat(sseOne.changes()).extracting(e -> JSON.readTree(e.data()).get("new").get("item").asText())
          .containsExactly("for one", "sentinel one");
    } finally {
      postgres.execute("DELETE FROM orders");
    }
  }

  @Test
  void anOversizedFrameClosesTheSocketWith1009() throws Exception {
    try (WebSocketTestClient socket = socket(token("1"))) {
      socket.send("[null,\"1\",\"phoenix\",\"heartbeat\",{\"padding\":\"" + "x".repeat(MAX_FRAME + 1) + "\"}]");
      assertThat(socket.closeCode.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1009);
    }
  }

  @Test
  void malformedJsonAndUnknownEventsLeaveTheSocketWorking() throws Exception {
    try (WebSocketTestClient socket = socket(token("1"))) {
      socket.send("{definitely not json");
      socket.send("[\"1\",\"2\",\"realtime:nowhere\",\"whatever\",{}]");
      socket.send("[null,\"3\",\"phoenix\",\"heartbeat\",{}]");
      assertThat(message(socket, 0).get(4).get("response").get("reason").asText()).isEqualTo("unmatched topic");
      assertThat(message(socket, 1).get(1).asText()).isEqualTo("3");
      assertThat(socket.isOpen()).isTrue();
    }
  }

  @Test
  void aTopicJoinedTwiceClosesTheFirstJoinAndJoinsOverTheLimitAreRefused() throws Exception {
    try (WebSocketTestClient socket = socket(token("1"))) {
      socket.send("[\"1\",\"1\",\"realtime:a\",\"phx_join\",{\"config\":{}}]");
      socket.send("[\"2\",\"2\",\"realtime:a\",\"phx_join\",{\"config\":{}}]");
      assertThat(message(socket, 0).get(3).asText()).isEqualTo("phx_reply");
      assertThat(message(socket, 1)).isEqualTo(JSON.readTree("[\"1\",\"1\",\"realtime:a\",\"phx_close\",{}]"));
      assertThat(message(socket, 2).get(0).asText()).isEqualTo("2");
      socket.send("[\"3\",\"3\",\"realtime:b\",\"phx_join\",{\"config\":{}}]");
      socket.send("[\"4\",\"4\",\"realtime:c\",\"phx_join\",{\"config\":{}}]");
      socket.send("[\"5\",\"5\",\"realtime:d\",\"phx_join\",{\"config\":{}}]");
      assertThat(message(socket, 5).get(4).get("response").get("reason").asText())
          .isEqualTo("ChannelRateLimitReached: Too many channels");
    }
  }

  @Test
  void clientsOverTheLimitAreRefusedWith429() throws Exception {
    List<WebSocketTestClient> open = new ArrayList<>();
    try {
      // Other tests' sockets are closed by now; fill up to the limit, then one more.
      await().atMost(WAIT).until(() -> {
        HttpResponse<String> metrics = get("/metrics", null);
        return metrics.body().contains("slipstream_clients 0.0");
      });
      for (int i = 0; i < MAX_CLIENTS; i++) {
        open.add(socket(token("1")));
      }
      HttpResponse<String> refused = get("/realtime/v1/websocket?vsn=2.0.0&apikey=" + token("1"), null);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("Too many connected users");
      assertThat(get("/metrics", null).body())
          .contains("slipstream_limit_rejections_total{limit=\"maxClients\"} 1.0");
    } finally {
      open.forEach(WebSocketTestClient::close);
    }
  }

  @Test
  void aBroadcastFromTheDatabaseReachesTheChannel() throws Exception {
    try (WebSocketTestClient socket = socket(token("1"))) {
      socket.send("[\"1\",\"1\",\"realtime:room1\",\"phx_join\",{\"config\":{}}]");
      assertThat(message(socket, 0).get(4).get("status").asText()).isEqualTo("ok");
      postgres.execute("SELECT pg_logical_emit_message(true, 'slipstream.broadcast', "
          + "json_build_object('topic', 'room1', 'event', 'new-order', 'payload', json_build_object('id', 42))::text)");
      assertThat(message(socket, 1)).isEqualTo(JSON.readTree("[null,null,\"realtime:room1\",\"broadcast\","
          + "{\"type\":\"broadcast\",\"event\":\"new-order\",\"payload\":{\"id\":42}}]"));
    }
  }

  private static List<String> items(WebSocketTestClient socket) throws Exception {
    List<String> items = new ArrayList<>();
    for (String text : socket.received) {
      JsonNode message = JSON.readTree(text);
      if ("postgres_changes".equals(message.get(3).asText())) {
        items.add(message.get(4).get("data").get("record").get("item").asText());
      }
    }
    return items;
  }

  /** A plain GET; for the WebSocket path, the handshake's refusal comes back as an ordinary response. */
  private static HttpResponse<String> get(String path, String authorization) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
