package dev.slipstream.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads a Server-Sent Events stream on its own thread and records each event's id and data. */
public final class SseTestClient implements AutoCloseable {

  /** One event; {@code receivedNanos} is when it was read (System.nanoTime). */
  public record Event(String id, String event, String data, long receivedNanos) {
    public Event(String id, String event, String data) {
      this(id, event, data, System.nanoTime());
    }
  }

  public final List<Event> events = new CopyOnWriteArrayList<>();
  public volatile int status;
  /** Why the stream ended, when it ended with an exception (null while it runs, or after a clean end or close). */
  public volatile Exception failure;
  private final Thread reader;
  private volatile java.io.InputStream body;
  private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

  private SseTestClient(URI uri, String lastEventId) {
    reader = Thread.ofVirtual().unstarted(() -> read(uri, lastEventId));
  }

  public static SseTestClient open(URI uri, String lastEventId) {
    SseTestClient client = new SseTestClient(uri, lastEventId);
    client.reader.start();
    return client;
  }

  private void read(URI uri, String lastEventId) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<java.io.InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      body = response.body();
      BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, event, data.toString()));
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (Exception e) {
      failure = e; // closed by the test, or by the server, or never connected
    } finally {
      ended.countDown();
    }
  }

  /** True once the stream is over: nothing more will be recorded. */
  public boolean ended() {
    return ended.getCount() == 0;
  }

  public List<Event> changes() {
    return events.stream().filter(e -> e.event() == null).toList();
  }

  @Override
  public void close() {
    try {
      if (body != null) {
        body.close();
      }
    } catch (java.io.IOException ignored) {
      // closing is all we wanted
    }
    reader.interrupt();
  }
}
