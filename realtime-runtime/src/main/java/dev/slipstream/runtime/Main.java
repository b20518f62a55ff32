package dev.slipstream.runtime;

import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.transport.ConnectionLimits;
import dev.slipstream.runtime.transport.ConnectionWatch;
import dev.slipstream.runtime.transport.RealtimeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime as a process, configured by environment variables (the operator sets them from the
 * tenant's ConfigMap and Secret). A missing or malformed variable stops it at once with a message
 * naming the variable; the password is never printed.
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    RuntimeSettings settings;
    try {
      settings = fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("slipstream-runtime: " + e.getMessage());
      System.exit(2);
      return;
    }
    RealtimeRuntime runtime = RealtimeRuntime.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping");
      runtime.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }

  /** Reads the settings; throws {@link IllegalArgumentException} naming the offending variable. */
  public static RuntimeSettings fromEnvironment(Map<String, String> env) {
    Env e = new Env(env);
    ReplicationSettings replication = new ReplicationSettings(
        e.required("SLIPSTREAM_DB_HOST"),
        e.integer("SLIPSTREAM_DB_PORT", 5432),
        e.required("SLIPSTREAM_DB_NAME"),
        e.required("SLIPSTREAM_DB_USER"),
        e.required("SLIPSTREAM_DB_PASSWORD"),
        e.optional("SLIPSTREAM_DB_SSLMODE", "prefer"),
        e.required("SLIPSTREAM_SLOT"),
        Arrays.stream(e.required("SLIPSTREAM_PUBLICATIONS").split(",")).map(String::trim).filter(s -> !s.isEmpty())
            .toList(),
        e.bytes("SLIPSTREAM_STREAMED_MEMORY_BYTES", ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT),
        Path.of(e.optional("SLIPSTREAM_SPILL_DIR", System.getProperty("java.io.tmpdir") + "/slipstream-spill")),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30));
    int maxFrameBytes = e.intBytes("SLIPSTREAM_MAX_PAYLOAD_BYTES", 1 << 20);
    ConnectionLimits connections = new ConnectionLimits(
        e.bytes("SLIPSTREAM_CLIENT_BUFFER_BYTES", 1 << 20),
        maxFrameBytes,
        e.bytes("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", 1 << 20),
        e.duration("SLIPSTREAM_HANDSHAKE_TIMEOUT", ConnectionLimits.DEFAULT_HANDSHAKE_TIMEOUT),
        e.duration("SLIPSTREAM_IDLE_TIMEOUT", ConnectionLimits.DEFAULT_IDLE_TIMEOUT),
        e.bytes("SLIPSTREAM_MAX_CLIENT_BYTES_HELD", ConnectionWatch.defaultCap()));
    RealtimeServer.Settings server = new RealtimeServer.Settings(
        e.optional("SLIPSTREAM_HOST", "0.0.0.0"),
        e.integer("SLIPSTREAM_PORT", 4000),
        connections,
        Duration.ofSeconds(15));
    String logFormat = e.optional("SLIPSTREAM_LOG_FORMAT", "text");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new IllegalArgumentException("SLIPSTREAM_LOG_FORMAT must be text or json, not '" + logFormat + "'");
    }
    TenantLimits d = TenantLimits.DEFAULTS;
    TenantLimits limits;
    try {
      limits = new TenantLimits(
          e.integer("SLIPSTREAM_MAX_CLIENTS", d.maxClients()),
          e.integer("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", d.maxChannelsPerClient()),
          e.integer("SLIPSTREAM_MAX_JOINS_PER_SECOND", d.maxJoinsPerSecond()),
          e.integer("SLIPSTREAM_MAX_EVENTS_PER_SECOND", d.maxEventsPerSecond()),
          maxFrameBytes,
          e.integer("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT", d.maxJoinsPerSecondPerClient()),
          e.integer("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT", d.maxEventsPerSecondPerClient()),
          e.integer("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", d.maxBindingsPerChannel()),
          e.integer("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", d.maxBindingsPerClient()),
          e.integer("SLIPSTREAM_MAX_FILTER_LENGTH", d.maxFilterLength()),
          e.integer("SLIPSTREAM_MAX_FILTER_VALUES", d.maxFilterValues()),
          e.integer("SLIPSTREAM_MAX_TOPIC_LENGTH", d.maxTopicLength()),
          e.intBytes("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", d.maxPresencePayloadBytes()),
          e.integer("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT", d.maxPresencesPerClient()),
          e.duration("SLIPSTREAM_JOIN_TIMEOUT", d.joinTimeout()));
    } catch (IllegalArgumentException ex) {
      if (ex.getMessage().startsWith("SLIPSTREAM_")) {
        throw ex;
      }
      // TenantLimits names the spec field (maxClients); the variable is its SLIPSTREAM_ form.
      throw new IllegalArgumentException("tenant limit " + ex.getMessage() + " (the SLIPSTREAM_MAX_... variable of "
          + "that name)");
    }
    AccessPolicy access;
    try {
      access = AccessPolicy.parse(e.optional("SLIPSTREAM_ACCESS_RULES", ""));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("SLIPSTREAM_ACCESS_RULES: " + ex.getMessage());
    }
    return new RuntimeSettings(replication, server, e.integer("SLIPSTREAM_RESUME_RING_EVENTS", 10_000),
        AuthSettings.fromEnvironment(env), access, limits);
  }

  private static final java.util.regex.Pattern DURATION_PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private record Env(Map<String, String> values) {

    String required(String name) {
      String value = values.get(name);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must be set");
      }
      return value;
    }

    String optional(String name, String fallback) {
      String value = values.get(name);
      return value == null || value.isBlank() ? fallback : value;
    }

    int integer(String name, int fallback) {
      String value = values.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        return Integer.parseInt(value.trim());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
      }
    }

    /** A byte size that must fit an int (Netty's frame limits take one). */
    int intBytes(String name, int fallback) {
      long value = bytes(name, fallback);
      if (value > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + " must be at most " + Integer.MAX_VALUE + " bytes, was '"
            + values.get(name) + "'");
      }
      return (int) value;
    }

    /** A duration as the CRD writes it: 30s, 1m, 1m30s, 500ms, 1.5h. */
    Duration duration(String name, Duration fallback) {
      String value = values.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      java.util.regex.Matcher part = DURATION_PART.matcher(value.trim());
      Duration total = Duration.ZERO;
      int end = 0;
      while (part.find() && part.start() == end) {
        double amount = Double.parseDouble(part.group(1));
        long unitMillis = switch (part.group(2)) {
          case "ms" -> 1;
          case "s" -> 1_000;
          case "m" -> 60_000;
          default -> 3_600_000;
        };
        total = total.plusMillis(Math.round(amount * unitMillis));
        end = part.end();
      }
      if (end == 0 || end != value.trim().length() || total.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration such as 30s, 1m or 1m30s, was '"
            + value + "'");
      }
      return total;
    }

    /** Plain bytes or a Kubernetes-style binary suffix: 1048576, 512Ki, 1Mi, 1Gi. */
    long bytes(String name, long fallback) {
      String value = values.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      String v = value.trim();
      long unit = 1;
      for (var suffix : List.of(Map.entry("Ki", 1L << 10), Map.entry("Mi", 1L << 20), Map.entry("Gi", 1L << 30))) {
        if (v.endsWith(suffix.getKey())) {
          unit = suffix.getValue();
          v = v.substring(0, v.length() - 2);
        }
      }
      try {
        long n = Long.parseLong(v) * unit;
        if (n <= 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(name + " must be a positive byte size such as 1048576 or 1Mi, was '" + value + "'");
      }
    }
  }
}
