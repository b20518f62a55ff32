package dev.slipstream.bench.scenario;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Counts the requests a Kubernetes client sends, by verb and resource ({@code GET secrets},
 * {@code PATCH realtimetenants/status}, {@code WATCH deployments}): what the operator costs the API
 * server, measured instead of counted from the code. Installed on the client's HTTP client as an
 * interceptor, before the client is used.
 */
final class ApiCalls implements Interceptor {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    counts.computeIfAbsent(key(request.method(), request.uri().getRawPath(), request.uri().getRawQuery()),
        k -> new LongAdder()).increment();
  }

  /** The count of every kind of request so far. */
  Map<String, Long> snapshot() {
    Map<String, Long> snapshot = new TreeMap<>();
    counts.forEach((key, count) -> snapshot.put(key, count.sum()));
    return snapshot;
  }

  /** The total, then each kind, divided by {@code per}, largest first. */
  static String perUnit(Map<String, Long> counts, int per) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    return String.format("%.1f in all: ", (double) total / per) + counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> String.format("%s %.2f", e.getKey(), (double) e.getValue() / per))
        .collect(Collectors.joining(", "));
  }

  /**
   * "VERB resource[/subresource]": a path {@code /api/v1/namespaces/ns/secrets/name} is
   * {@code secrets}, {@code .../realtimetenants/name/status} is {@code realtimetenants/status}; a
   * request with {@code watch=true} is a WATCH, a GET without a name a LIST; a write that names its
 * field manager is followed by it, {@code PATCH deployments (slipstream-operator)}.
   */
  static String key(String method, String path, String query) {
    String[] parts = path.replaceFirst("^/", "").split("/");
    // /api/v1/... or /apis/group/version/...
    int i = parts.length > 0 && "api".equals(parts[0]) ? 2 : 3;
    if (i < parts.length && "namespaces".equals(parts[i]) && i + 2 < parts.length) {
      i += 2;
    }
    String resource = i < parts.length ? parts[i] : path;
    boolean named = i + 1 < parts.length;
    String sub = i + 2 < parts.length ? "/" + parts[i + 2] : "";
    String verb = method;
    if (query != null && query.contains("watch=true")) {
      verb = "WATCH";
    } else if ("GET".equals(method) && !named) {
      verb = "LIST";
    }
    return verb + " " + resource + sub + manager(query);
  }

  /** " (manager)" for a write that names its field manager: which reconciler made it. */
  private static String manager(String query) {
    if (query == null) {
      return "";
    }
    for (String parameter : query.split("&")) {
      if (parameter.startsWith("fieldManager=")) {
        return " (" + parameter.substring("fieldManager=".length()) + ")";
      }
    }
    return "";
  }
}
