package dev.slipstream.runtime;

import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.ChannelRules;
import dev.slipstream.runtime.cluster.ClusterSettings;
import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.runtime.config.Setting;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.tls.ServerTls;
import dev.slipstream.runtime.transport.ConnectionLimits;
import dev.slipstream.runtime.transport.ConnectionWatch;
import dev.slipstream.runtime.transport.RealtimeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime as a process, configured by environment variables, each defined in {@link RuntimeConfig} (the
 * operator sets them from the tenant's ConfigMap and Secrets). A missing or malformed variable stops it at once
 * with a message naming the variable; the password is never printed.
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.print(usage());
      return;
    }
    if (args.length > 0) {
      System.err.println("slipstream-runtime: unexpected argument '" + args[0] + "': the runtime takes its settings "
          + "from environment variables only (--help lists them)");
      System.exit(2);
      return;
    }
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
      runtime.drain();
      runtime.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }

  /** What {@code --help} prints: every variable of {@link RuntimeConfig#ALL}, its default and its meaning. */
  static String usage() {
    StringBuilder text = new StringBuilder("""
        Usage: slipstream-runtime [--help]
        Streams a PostgreSQL logical replication slot to WebSocket and SSE clients. Settings come from
        environment variables only (in Kubernetes, the operator sets them from the tenant):
        """);
    for (Setting<?> setting : RuntimeConfig.ALL) {
      String presence = setting.required() ? "required"
          : setting.documentedDefault().map(value -> "default " + value).orElse("optional");
      text.append("  ").append(setting.name()).append(" (").append(presence).append(")\n      ")
          .append(setting.description()).append('\n');
    }
    return text.toString();
  }

  /**
   * Reads the settings, every variable through its {@link RuntimeConfig} setting (the authentication ones through
   * {@link AuthSettings#fromEnvironment}, which reads them from the same map); throws
   * {@link IllegalArgumentException} naming the offending variable. Reads {@code env} by name only.
   */
  public static RuntimeSettings fromEnvironment(Map<String, String> env) {
    ReplicationSettings replication = new ReplicationSettings(
        RuntimeConfig.DB_HOST.read(env),
        RuntimeConfig.DB_PORT.read(env),
        RuntimeConfig.DB_NAME.read(env),
        RuntimeConfig.DB_USER.read(env),
        RuntimeConfig.DB_PASSWORD.read(env),
        RuntimeConfig.DB_SSLMODE.read(env),
        RuntimeConfig.SLOT.read(env),
        RuntimeConfig.PUBLICATIONS.read(env),
        RuntimeConfig.STREAMED_MEMORY_BYTES.read(env),
        Path.of(RuntimeConfig.SPILL_DIR.read(env, () -> System.getProperty("java.io.tmpdir") + "/slipstream-spill")),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        RuntimeConfig.HEARTBEAT_INTERVAL.read(env),
        RuntimeConfig.DB_SSLROOTCERT.read(env),
        RuntimeConfig.REPLICATION_RECEIVE_TIMEOUT.read(env));
    int maxFrameBytes = RuntimeConfig.MAX_PAYLOAD_BYTES.read(env);
    ConnectionLimits connections = new ConnectionLimits(
        RuntimeConfig.CLIENT_BUFFER_BYTES.read(env),
        maxFrameBytes,
        RuntimeConfig.CLIENT_INBOUND_BYTES_PER_SECOND.read(env),
        RuntimeConfig.HANDSHAKE_TIMEOUT.read(env),
        RuntimeConfig.IDLE_TIMEOUT.read(env),
        RuntimeConfig.MAX_CLIENT_BYTES_HELD.read(env, ConnectionWatch::defaultCap));
    RealtimeServer.Settings server = new RealtimeServer.Settings(
        RuntimeConfig.HOST.read(env),
        RuntimeConfig.PORT.read(env),
        connections,
        Duration.ofSeconds(15),
        tls(env));
    // logback.xml applies both; read here so that a bad value stops the process with its name.
    RuntimeConfig.LOG_FORMAT.read(env);
    RuntimeConfig.LOG_LEVEL.read(env);
    TenantLimits limits;
    try {
      limits = new TenantLimits(
          RuntimeConfig.MAX_CLIENTS.read(env),
          RuntimeConfig.MAX_CHANNELS_PER_CLIENT.read(env),
          RuntimeConfig.MAX_JOINS_PER_SECOND.read(env),
          RuntimeConfig.MAX_EVENTS_PER_SECOND.read(env),
          maxFrameBytes,
          RuntimeConfig.MAX_JOINS_PER_SECOND_PER_CLIENT.read(env),
          RuntimeConfig.MAX_EVENTS_PER_SECOND_PER_CLIENT.read(env),
          RuntimeConfig.MAX_BINDINGS_PER_CHANNEL.read(env),
          RuntimeConfig.MAX_BINDINGS_PER_CLIENT.read(env),
          RuntimeConfig.MAX_FILTER_LENGTH.read(env),
          RuntimeConfig.MAX_FILTER_VALUES.read(env),
          RuntimeConfig.MAX_TOPIC_LENGTH.read(env),
          RuntimeConfig.MAX_PRESENCE_PAYLOAD_BYTES.read(env),
          RuntimeConfig.MAX_PRESENCES_PER_CLIENT.read(env),
          RuntimeConfig.JOIN_TIMEOUT.read(env));
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
      access = AccessPolicy.parse(String.join(",", RuntimeConfig.ACCESS_RULES.read(env)));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(RuntimeConfig.ACCESS_RULES.name() + ": " + ex.getMessage());
    }
    ChannelRules channelRules;
    try {
      channelRules = ChannelRules.parse(String.join(",", RuntimeConfig.CHANNEL_RULES.read(env)));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(RuntimeConfig.CHANNEL_RULES.name() + ": " + ex.getMessage());
    }
    return new RuntimeSettings(replication, server, RuntimeConfig.RESUME_RING_EVENTS.read(env),
        AuthSettings.fromEnvironment(env), access, limits, cluster(env, server.host()),
        RuntimeConfig.DRAIN_WINDOW.read(env), channelRules);
  }

  /** The client port's certificate and key, or null for plain HTTP; both variables or neither. */
  static ServerTls.Files tls(Map<String, String> env) {
    String certificate = RuntimeConfig.TLS_CERT_FILE.read(env);
    String key = RuntimeConfig.TLS_KEY_FILE.read(env);
    if (certificate == null && key == null) {
      return null;
    }
    if (certificate == null || key == null) {
      throw new IllegalArgumentException(RuntimeConfig.TLS_CERT_FILE.name() + " and " + RuntimeConfig.TLS_KEY_FILE.name()
          + " go together: " + (certificate == null ? RuntimeConfig.TLS_CERT_FILE : RuntimeConfig.TLS_KEY_FILE).name()
          + " is not set");
    }
    return new ServerTls.Files(Path.of(certificate), Path.of(key));
  }

  /**
   * The pod's part in its tenant, or null without {@code SLIPSTREAM_TENANT} (the runtime then runs alone). With
   * it, the pod's name and namespace are required: the operator sets them from the downward API.
   */
  static ClusterSettings cluster(Map<String, String> env, String listenHost) {
    String tenant = RuntimeConfig.TENANT.read(env);
    // Read whether or not they are used, so that a malformed value stops the process with its name.
    String pod = RuntimeConfig.POD_NAME.read(env);
    String namespace = RuntimeConfig.POD_NAMESPACE.read(env);
    String podIp = RuntimeConfig.POD_IP.read(env);
    String lease = RuntimeConfig.LEADER_LEASE.read(env);
    int relayPort = RuntimeConfig.RELAY_PORT.read(env);
    Duration leaseDuration = RuntimeConfig.LEASE_DURATION.read(env);
    Duration statusInterval = RuntimeConfig.STATUS_INTERVAL.read(env);
    String relayKey = RuntimeConfig.RELAY_KEY.read(env);
    if (tenant == null) {
      return null;
    }
    if (pod == null) {
      throw new IllegalArgumentException(RuntimeConfig.POD_NAME.name() + " must be set when "
          + RuntimeConfig.TENANT.name() + " is (the pod's name, from the downward API)");
    }
    if (namespace == null) {
      throw new IllegalArgumentException(RuntimeConfig.POD_NAMESPACE.name() + " must be set when "
          + RuntimeConfig.TENANT.name() + " is (the pod's namespace, from the downward API)");
    }
    String relayHost = podIp != null ? podIp : "0.0.0.0".equals(listenHost) ? "127.0.0.1" : listenHost;
    try {
      return new ClusterSettings(tenant, namespace, pod, relayHost,
          lease != null ? lease : ClusterSettings.defaultLease(tenant), relayPort, leaseDuration, statusInterval,
          relayKey);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(RuntimeConfig.LEASE_DURATION.name() + " or "
          + RuntimeConfig.STATUS_INTERVAL.name() + ": " + e.getMessage());
    }
  }
}
