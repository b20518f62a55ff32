package dev.slipstream.runtime.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples a runtime's {@code /readyz} and its {@code slipstream_replication_streaming} and
 * {@code slipstream_subscriptions} metrics
 * every 100 ms while a fault lasts, and keeps every sample: what an orchestrator's probe and a
 * dashboard would have seen, and when.
 */
final class HealthRecorder implements AutoCloseable {

  /** One look at the pod: readiness status and text, two gauges (NaN: not answered). */
  record Sample(long nanos, int status, String text, double streaming, double subscriptions) {
    boolean ready() {
      return status == 200;
    }
  }

  private static final Pattern STREAMING = Pattern.compile("^slipstream_replication_streaming (\\S+)$",
      Pattern.MULTILINE);
  private static final Pattern SUBSCRIPTIONS = Pattern.compile("^slipstream_subscriptions (\\S+)$", Pattern.MULTILINE);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final URI base;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("health-recorder").daemon().unstarted(r));

  HealthRecorder(int port) {
    base = URI.create("http://127.0.0.1:" + port);
    scheduler.scheduleWithFixedDelay(this::sample, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void sample() {
    long now = System.nanoTime();
    int status = -1;
    String text = "";
    double streaming = Double.NaN;
    double subscriptions = Double.NaN;
    try {
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.resolve("/readyz"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      status = ready.statusCode();
      text = ready.body().trim();
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      streaming = gauge(STREAMING, metrics.body());
      subscriptions = gauge(SUBSCRIPTIONS, metrics.body());
    } catch (IOException e) {
      text = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    samples.add(new Sample(now, status, text, streaming, subscriptions));
  }

  private static double gauge(Pattern pattern, String scrape) {
    Matcher m = pattern.matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Samples taken at or after {@code nanos}. */
  List<Sample> since(long nanos) {
    return samples.stream().filter(s -> s.nanos() - nanos >= 0).toList();
  }

  /** The first sample at or after {@code nanos} that is ready, or null. */
  Sample firstReadyAfter(long nanos) {
    return since(nanos).stream().filter(Sample::ready).findFirst().orElse(null);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    http.close();
  }
}
