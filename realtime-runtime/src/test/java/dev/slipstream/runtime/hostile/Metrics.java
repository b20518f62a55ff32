package dev.slipstream.runtime.hostile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of {@code GET /metrics} (Prometheus text format): the sum of every series of a name,
 * or of the series with one label value. A metric the runtime does not have sums to 0, which is
 * what a "at least one" assertion should see on a runtime that does not count the thing.
 */
public final class Metrics {

  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\S+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<Sample> samples;
  private final String text;

  private Metrics(List<Sample> samples, String text) {
    this.samples = samples;
    this.text = text;
  }

  /** Scrapes {@code http://127.0.0.1:port/metrics}; throws when there is no answer within the timeout. */
  public static Metrics scrape(int port, Duration timeout) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET /metrics answered " + response.statusCode());
    }
    return parse(response.body());
  }

  /** As {@link #scrape} but null when the runtime does not answer (busy, or gone). */
  public static Metrics tryScrape(int port, Duration timeout) {
    try {
      return scrape(port, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  public static Metrics parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line.trim());
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher label = LABEL.matcher(m.group(3));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      double value;
      try {
        value = Double.parseDouble(m.group(4));
      } catch (NumberFormatException e) {
        continue;
      }
      samples.add(new Sample(m.group(1), labels, value));
    }
    return new Metrics(samples, text);
  }

  /** The sum over every series named {@code name}; 0 when there is none. */
  public double sum(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
  }

  /** The sum over the series named {@code name} whose label {@code label} is {@code value}; 0 when none. */
  public double sum(String name, String label, String value) {
    return samples.stream().filter(s -> s.name().equals(name) && value.equals(s.labels().get(label)))
        .mapToDouble(Sample::value).sum();
  }

  public List<Sample> samples() {
    return samples;
  }

  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  /** The whole exposition text, as scraped. */
  public String text() {
    return text;
  }

  /** The lines of the scrape mentioning {@code fragment}, for assertion messages. */
  public String linesWith(String fragment) {
    return String.join("\n", text.lines().filter(l -> !l.startsWith("#") && l.contains(fragment)).toList());
  }
}
