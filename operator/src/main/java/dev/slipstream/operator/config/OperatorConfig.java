package dev.slipstream.operator.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, from environment variables.
 *
 * <ul>
 *   <li>{@code SLIPSTREAM_WATCH_NAMESPACES}: comma-separated namespaces; empty or unset watches all
 *   <li>{@code SLIPSTREAM_RUNTIME_IMAGE}: the runtime image for tenants without spec.runtime.image
 *   <li>{@code SLIPSTREAM_RECONCILE_THREADS}: concurrent reconciles (default 10)
 *   <li>{@code SLIPSTREAM_RECHECK_INTERVAL}: how often a healthy resource is checked against the
 *       database (ISO-8601 duration or seconds, default 30s); slot lag is refreshed at this rate
 *   <li>{@code SLIPSTREAM_LOG_FORMAT}: {@code text} (default) or {@code json}, one object per line;
 *       read by {@code logback.xml}, checked here so a typo stops the operator instead of silencing it
 *   <li>{@code SLIPSTREAM_LOG_LEVEL}: level of Slipstream's own loggers (default INFO)
 * </ul>
 *
 * @param watchedNamespaces empty means all namespaces
 */
public record OperatorConfig(
    Set<String> watchedNamespaces, String defaultRuntimeImage, int reconcileThreads, Duration recheckInterval,
    String logFormat) {

  /** The values {@code logback.xml} has an appender for. */
  public static final Set<String> LOG_FORMATS = Set.of("text", "json");

  /** The annotation that lets a resource go although its database could not be cleaned up. */
  public static final String FORCE_DELETE_ANNOTATION = "realtime.slipstream.dev/force-delete";
  /** The field manager for every status the operator writes with server-side apply. */
  public static final String FIELD_MANAGER = "slipstream-operator";

  /** A placeholder until the runtime image is published; the Helm chart sets the real one. */
  public static final String DEFAULT_RUNTIME_IMAGE = "slipstream-runtime:0.1.0";

  public OperatorConfig {
    watchedNamespaces = Set.copyOf(watchedNamespaces);
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException("SLIPSTREAM_RECONCILE_THREADS must be at least 1, not " + reconcileThreads);
    }
    if (!LOG_FORMATS.contains(logFormat)) {
      throw new IllegalArgumentException("SLIPSTREAM_LOG_FORMAT must be text or json, not '" + logFormat + "'");
    }
  }

  public static OperatorConfig defaults() {
    return fromEnv(Map.of());
  }

  public static OperatorConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  public static OperatorConfig fromEnv(Map<String, String> env) {
    Set<String> namespaces = Arrays.stream(env.getOrDefault("SLIPSTREAM_WATCH_NAMESPACES", "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    String image = env.getOrDefault("SLIPSTREAM_RUNTIME_IMAGE", "").isBlank()
        ? DEFAULT_RUNTIME_IMAGE : env.get("SLIPSTREAM_RUNTIME_IMAGE").trim();
    int threads = Integer.parseInt(env.getOrDefault("SLIPSTREAM_RECONCILE_THREADS", "10").trim());
    String logFormat = env.getOrDefault("SLIPSTREAM_LOG_FORMAT", "").isBlank() ? "text" : env.get("SLIPSTREAM_LOG_FORMAT").trim();
    return new OperatorConfig(namespaces, image, threads, duration(env.getOrDefault("SLIPSTREAM_RECHECK_INTERVAL", "30")),
        logFormat);
  }

  public boolean watchesAllNamespaces() {
    return watchedNamespaces.isEmpty();
  }

  private static Duration duration(String text) {
    String value = text.trim();
    return value.startsWith("P") || value.startsWith("p") ? Duration.parse(value) : Duration.ofSeconds(Long.parseLong(value));
  }
}
