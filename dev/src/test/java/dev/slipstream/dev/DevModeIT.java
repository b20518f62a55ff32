package dev.slipstream.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.testing.SseTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@code bin/dev} runs: the demo page is served, and a row inserted through it arrives live over SSE. */
class DevModeIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static DevMode dev;

  @BeforeAll
  static void start() throws Exception {
    dev = DevMode.start(0);
    await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (dev != null) {
      dev.close();
    }
  }

  @Test
  void theDemoPageIsServed() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    assertThat(page.body()).contains("Slipstream dev mode", "/realtime/v1/sse?schema=public&table=messages",
        "/dev/messages");
  }

  @Test
  void aRowInsertedThroughTheDemoPageArrivesLive() throws Exception {
    try (SseTestClient sse = SseTestClient.open(uri("/realtime/v1/sse?schema=public&table=messages"), null)) {
      await().atMost(WAIT).until(() -> dev.runtime().fanOut().index().size() == 1);

      HttpResponse<String> inserted = post("/dev/messages", "{\"author\":\"ada\",\"body\":\"hello from the demo\"}");
      assertThat(inserted.statusCode()).as(inserted.body()).isEqualTo(200);

      await().atMost(WAIT).until(() -> !sse.changes().isEmpty());
      JsonNode change = new ObjectMapper().readTree(sse.changes().getFirst().data());
      assertThat(change.get("eventType").asText()).isEqualTo("INSERT");
      assertThat(change.get("new").get("author").asText()).isEqualTo("ada");
      assertThat(change.get("new").get("body").asText()).isEqualTo("hello from the demo");
      assertThat(change.get("new").get("room").asText()).isEqualTo("lobby");
    }
  }

  @Test
  void aBadInsertGetsAClearError() throws Exception {
    HttpResponse<String> response = post("/dev/messages", "{\"author\":\"\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("author and body are required");
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + dev.port() + path);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static HttpResponse<String> post(String path, String json) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
