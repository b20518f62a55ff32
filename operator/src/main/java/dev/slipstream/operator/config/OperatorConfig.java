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
 *       database (ISO-8601 duration or seconds, default 30s); slot lag is refreshed at this rate. Tenant
 *       rechecks are paced to one per reconcile thread and second: with more tenants than threads
 *       times this many seconds, each is rechecked every tenants / threads seconds
 *   <li>{@code SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL}: how often a Ready publication is checked against
 *       the database (default 300s): it carries no lag, and only someone altering the publication by hand
 *       changes it; a publication that is not Ready is rechecked every {@code SLIPSTREAM_RECHECK_INTERVAL}
 *   <li>{@code SLIPSTREAM_LOG_FORMAT}: {@code text} (default) or {@code json}, one object per line;
 *       read by {@code logback.xml}, checked here so a typo stops the operator instead of silencing it
 *   <li>{@code SLIPSTREAM_LOG_LEVEL}: level of Slipstream's own loggers (default INFO)
 *   <li>{@code SLIPSTREAM_RUNTIME_REPORT_TIMEOUT}: how old a runtime pod's {@code status.runtime.pods[]}
 *       entry ({@code reportedAt}) may be before the operator removes it and stops counting its clients
 *       (ISO-8601 duration or seconds, default 15s: three of the runtime's 5 s report intervals)
 * </ul>
 *
 * @param watchedNamespaces empty means all namespaces
 */
public record OperatorConfig(
    Set<String> watchedNamespaces, String defaultRuntimeImage, int reconcileThreads, Duration recheckInterval,
    Duration publicationRecheckInterval, String logFormat, Duration runtimeReportTimeout) {

  /** The values {@code logback.xml} has an appender for. */
  public static final Set<String> LOG_FORMATS = Set.of("text", "json");

  /** The annotation that lets a resource go although its database could not be cleaned up. */
  public static final String FORCE_DELETE_ANNOTATION = "realtime.slipstream.dev/force-delete";
  /**
   * The field manager of the tenant reconciler (conditions, phase, slot, endpoints, the runtime's
   * objects) and of the publication reconciler's status.
   */
  public static final String FIELD_MANAGER = "slipstream-operator";
  /**
   * The field manager of the runtime's status loop: {@code status.runtime} but its {@code pods}, and the
   * runtime Deployment's {@code spec.replicas}. A manager of its own because it runs beside the tenant
   * reconciler: two writers applying under one manager would each drop the other's fields.
   */
  public static final String RUNTIME_FIELD_MANAGER = "slipstream-operator-runtime";
  /** Three of the runtime's report intervals (5 s): one late report is not a dead pod. */
  public static final Duration DEFAULT_RUNTIME_REPORT_TIMEOUT = Duration.ofSeconds(15);

  /** A Ready publication is rechecked this often unless configured: ten tenant rechecks. */
  public static final Duration DEFAULT_PUBLICATION_RECHECK_INTERVAL = Duration.ofMinutes(5);

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
    for (Map.Entry<String, Duration> interval : Map.of("SLIPSTREAM_RECHECK_INTERVAL", recheckInterval,
        "SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL", publicationRecheckInterval).entrySet()) {
      if (interval.getValue().isNegative() || interval.getValue().isZero()) {
        throw new IllegalArgumentException(interval.getKey() + " must be positive, not " + interval.getValue());
      }
    }
    if (runtimeReportTimeout.isNegative() || runtimeReportTimeout.isZero()) {
      throw new IllegalArgumentException("SLIPSTREAM_RUNTIME_REPORT_TIMEOUT must be positive, not " + runtimeReportTimeout);
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
    String reportTimeout = env.getOrDefault("SLIPSTREAM_RUNTIME_REPORT_TIMEOUT", "");
    String publicationRecheck = env.getOrDefault("SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL", "");
    return new OperatorConfig(namespaces, image, threads, duration(env.getOrDefault("SLIPSTREAM_RECHECK_INTERVAL", "30")),
        publicationRecheck.isBlank() ? DEFAULT_PUBLICATION_RECHECK_INTERVAL : duration(publicationRecheck), logFormat, reportTimeout.isBlank() ? DEFAULT_RUNTIME_REPORT_TIMEOUT : duration(reportTimeout));
  }

  public boolean watchesAllNamespaces() {
    return watchedNamespaces.isEmpty();
  }

  private static Duration duration(String text) {
    String value = text.trim();
    return value.startsWith("P") || value.startsWith("p") ? Duration.parse(value) : Duration.ofSeconds(Long.parseLong(value));
  }
}
