package dev.slipstream.runtime;

import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.replication.ReplicationSettings;
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
    RealtimeServer.Settings server = new RealtimeServer.Settings(
        e.optional("SLIPSTREAM_HOST", "0.0.0.0"),
        e.integer("SLIPSTREAM_PORT", 4000),
        e.bytes("SLIPSTREAM_CLIENT_BUFFER_BYTES", 1 << 20),
        (int) e.bytes("SLIPSTREAM_MAX_PAYLOAD_BYTES", 1 << 20),
        Duration.ofSeconds(15),
        null,
        List.of());
    String logFormat = e.optional("SLIPSTREAM_LOG_FORMAT", "text");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new IllegalArgumentException("SLIPSTREAM_LOG_FORMAT must be text or json, not '" + logFormat + "'");
    }
    TenantLimits defaults = TenantLimits.DEFAULTS;
    TenantLimits limits;
    try {
      limits = new TenantLimits(
          e.integer("SLIPSTREAM_MAX_CLIENTS", defaults.maxClients()),
          e.integer("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", defaults.maxChannelsPerClient()),
          e.integer("SLIPSTREAM_MAX_JOINS_PER_SECOND", defaults.maxJoinsPerSecond()),
          e.integer("SLIPSTREAM_MAX_EVENTS_PER_SECOND", defaults.maxEventsPerSecond()),
          server.maxFrameBytes());
    } catch (IllegalArgumentException ex) {
      if (ex.getMessage().startsWith("SLIPSTREAM_")) {
        throw ex;
      }
      // TenantLimits names the spec field (maxClients); the variable is its SLIPSTREAM_MAX_... form.
      throw new IllegalArgumentException("tenant limit " + ex.getMessage()
          + " (SLIPSTREAM_MAX_CLIENTS, _CHANNELS_PER_CLIENT, _JOINS_PER_SECOND, _EVENTS_PER_SECOND, _PAYLOAD_BYTES)");
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
