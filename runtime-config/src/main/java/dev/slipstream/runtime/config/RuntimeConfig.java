package dev.slipstream.runtime.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every environment variable the runtime reads, defined once. The runtime ({@code dev.slipstream.runtime.Main})
 * reads exactly these and nothing else; the operator sets these and nothing else in the runtime's ConfigMap and pod
 * environment (the Deployment maps {@link Kind#SECRET} ones and the database user from Secrets). A variable the
 * runtime does not read yet does not belong here: the operator would promise what the code does not do.
 *
 * <p>The authentication variables ({@link #JWT_SECRET}, {@link #JWT_PREVIOUS_SECRET}, {@link #JWKS},
 * {@link #JWKS_FILE}, {@link #AUTH}, {@link #JWT_ISSUER}, {@link #JWT_AUDIENCE}) are parsed by the runtime's
 * {@code AuthSettings} from the same environment; {@code MainTest} checks that the names it asks for are these.
 */
public final class RuntimeConfig {

  // The tenant database and its replication stream.
  public static final Setting<String> DB_HOST = Setting.text("SLIPSTREAM_DB_HOST")
      .required("host name or address of the tenant's database");
  public static final Setting<Integer> DB_PORT = Setting.integer("SLIPSTREAM_DB_PORT")
      .defaultsTo("5432", "port of the tenant's database");
  public static final Setting<String> DB_NAME = Setting.text("SLIPSTREAM_DB_NAME")
      .required("the database whose changes are streamed");
  public static final Setting<String> DB_USER = Setting.text("SLIPSTREAM_DB_USER")
      .required("a role with REPLICATION (the operator maps it from the credentials Secret)");
  public static final Setting<String> DB_PASSWORD = Setting.secret("SLIPSTREAM_DB_PASSWORD")
      .required("that role's password; never logged");
  public static final Setting<String> DB_SSLMODE = Setting.text("SLIPSTREAM_DB_SSLMODE")
      .defaultsTo("prefer", "libpq's sslmode: disable, prefer, require or verify-full");
  public static final Setting<String> DB_SSLROOTCERT = Setting.text("SLIPSTREAM_DB_SSLROOTCERT")
      .optional("PEM file of the CA(s) sslmode verify-full checks the database's certificate against, read at each "
          + "connection; unset: the CAs the JVM trusts");
  public static final Setting<String> SLOT = Setting.text("SLIPSTREAM_SLOT")
      .required("the logical replication slot the runtime streams from");
  public static final Setting<List<String>> PUBLICATIONS = Setting.list("SLIPSTREAM_PUBLICATIONS")
      .required("publication names, comma-separated");
  public static final Setting<Long> STREAMED_MEMORY_BYTES = Setting.bytes("SLIPSTREAM_STREAMED_MEMORY_BYTES")
      .defaultsTo("64Mi", "in-memory bound for streamed (in-progress) transactions");
  public static final Setting<String> SPILL_DIR = Setting.text("SLIPSTREAM_SPILL_DIR")
      .computedDefault("$TMPDIR/slipstream-spill", "where streamed transactions larger than that bound spill");
  public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("SLIPSTREAM_HEARTBEAT_INTERVAL")
      .defaultsTo("30s", "how long the slot may deliver nothing before the runtime writes a heartbeat message into "
          + "the database, so the slot follows the server's WAL");
  public static final Setting<Duration> REPLICATION_RECEIVE_TIMEOUT =
      Setting.duration("SLIPSTREAM_REPLICATION_RECEIVE_TIMEOUT").defaultsTo("30s", "how long the replication "
          + "connection may bring nothing (no data, no keepalive; the runtime asks for a keepalive a third of the way "
          + "in) before the runtime drops it, reports it in /readyz and reconnects; at least 1s");

  // The tenant's pods: one streams the slot (the Lease holder) and relays to the others. Without
  // SLIPSTREAM_TENANT and the pod's name and namespace the runtime runs alone and streams itself.
  public static final Setting<String> TENANT = Setting.text("SLIPSTREAM_TENANT")
      .optional("the RealtimeTenant's name: the runtime then takes part in its Lease and writes its status entry");
  public static final Setting<String> POD_NAME = Setting.text("SLIPSTREAM_POD_NAME")
      .optional("this pod's name (downward API): its Lease identity and the key of its status entry");
  public static final Setting<String> POD_NAMESPACE = Setting.text("SLIPSTREAM_POD_NAMESPACE")
      .optional("the namespace of the pod and the tenant (downward API)");
  public static final Setting<String> POD_IP = Setting.text("SLIPSTREAM_POD_IP")
      .optional("the address other pods reach this pod's relay at (downward API); default SLIPSTREAM_HOST");
  public static final Setting<String> LEADER_LEASE = Setting.text("SLIPSTREAM_LEADER_LEASE")
      .optional("the tenant's Lease; default <tenant>-runtime-leader");
  public static final Setting<Integer> RELAY_PORT = Setting.integer("SLIPSTREAM_RELAY_PORT")
      .defaultsTo("4001", "port of the relay the leader serves the other pods on");
  public static final Setting<String> RELAY_KEY = Setting.secret("SLIPSTREAM_RELAY_KEY")
      .optional("the key the tenant's pods authenticate each other's relay with (the operator maps it from the "
          + "tenant's relay Secret); unset: the database password, as before it existed");
  public static final Setting<Duration> LEASE_DURATION = Setting.duration("SLIPSTREAM_LEASE_DURATION")
      .defaultsTo("5s", "how long a Lease holds without renewal; the leader stops streaming before it runs out, "
          + "and a new leader takes over after it");
  public static final Setting<Duration> DRAIN_WINDOW = Setting.duration("SLIPSTREAM_DRAIN_WINDOW")
      .defaultsTo("10s", "on SIGTERM, the time over which clients are asked to reconnect elsewhere, each at a random "
          + "moment; keep it well under the pod's termination grace period (30s)");
  public static final Setting<Duration> STATUS_INTERVAL = Setting.duration("SLIPSTREAM_STATUS_INTERVAL")
      .defaultsTo("5s", "how often the pod writes its status entry (and at once when its role changes)");

  // Where clients connect, and what one client may cost.
  public static final Setting<String> HOST = Setting.text("SLIPSTREAM_HOST")
      .defaultsTo("0.0.0.0", "address the WebSocket/SSE server listens on");
  public static final Setting<Integer> PORT = Setting.integer("SLIPSTREAM_PORT")
      .defaultsTo("4000", "port of the WebSocket/SSE server, the probes and /metrics");
  public static final Setting<String> TLS_CERT_FILE = Setting.text("SLIPSTREAM_TLS_CERT_FILE")
      .optional("PEM certificate chain the client port serves TLS with (wss://, https://), and the relay between "
          + "the tenant's pods (ca.crt beside it, if present, is what followers trust); with SLIPSTREAM_TLS_KEY_FILE. "
          + "Read again every 30 s: a renewed certificate reaches new connections");
  public static final Setting<String> TLS_KEY_FILE = Setting.text("SLIPSTREAM_TLS_KEY_FILE")
      .optional("its private key, unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY)");
  public static final Setting<Long> CLIENT_BUFFER_BYTES = Setting.bytes("SLIPSTREAM_CLIENT_BUFFER_BYTES")
      .defaultsTo("1Mi", "per-client budget of bytes queued for sending; a client over it is closed as slow");
  public static final Setting<Integer> MAX_PAYLOAD_BYTES = Setting.intBytes("SLIPSTREAM_MAX_PAYLOAD_BYTES")
      .defaultsTo("1Mi", "largest WebSocket message accepted from a client (frames and reassembled fragments)");
  public static final Setting<Long> MAX_CLIENT_BYTES_HELD = Setting.bytes("SLIPSTREAM_MAX_CLIENT_BYTES_HELD")
      .computedDefault("half the JVM's direct memory", "what all clients together may hold; set by hand, not by "
          + "the operator");
  public static final Setting<Long> CLIENT_INBOUND_BYTES_PER_SECOND =
      Setting.bytes("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND")
          .defaultsTo("1Mi", "bytes read per second from one client (bursts of twice that)");
  public static final Setting<Duration> HANDSHAKE_TIMEOUT = Setting.duration("SLIPSTREAM_HANDSHAKE_TIMEOUT")
      .defaultsTo("10s", "time for a complete HTTP request, after connecting and between kept-alive requests");
  public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration("SLIPSTREAM_IDLE_TIMEOUT")
      .defaultsTo("60s", "time a WebSocket may send no frame at all before it is closed (4001)");

  // Tenant-wide limits (per runtime process) and per-client caps: spec.limits of the RealtimeTenant.
  public static final Setting<Integer> MAX_CLIENTS = Setting.integer("SLIPSTREAM_MAX_CLIENTS")
      .defaultsTo("50000", "WebSocket and SSE clients at once");
  public static final Setting<Integer> MAX_CHANNELS_PER_CLIENT = Setting.integer("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT")
      .defaultsTo("100", "channels one client may join");
  public static final Setting<Integer> MAX_JOINS_PER_SECOND = Setting.integer("SLIPSTREAM_MAX_JOINS_PER_SECOND")
      .defaultsTo("500", "channel joins per second, all clients together");
  public static final Setting<Integer> MAX_EVENTS_PER_SECOND = Setting.integer("SLIPSTREAM_MAX_EVENTS_PER_SECOND")
      .defaultsTo("10000", "client messages per second, all clients together");
  public static final Setting<Integer> MAX_JOINS_PER_SECOND_PER_CLIENT =
      Setting.integer("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT")
          .defaultsTo("10", "one client's share of the joins per second");
  public static final Setting<Integer> MAX_EVENTS_PER_SECOND_PER_CLIENT =
      Setting.integer("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT")
          .defaultsTo("100", "one client's share of the messages per second");
  public static final Setting<Integer> MAX_BINDINGS_PER_CHANNEL = Setting.integer("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL")
      .defaultsTo("100", "postgres_changes bindings in one join");
  public static final Setting<Integer> MAX_BINDINGS_PER_CLIENT = Setting.integer("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT")
      .defaultsTo("500", "postgres_changes bindings over all channels of one client");
  public static final Setting<Integer> MAX_FILTER_LENGTH = Setting.integer("SLIPSTREAM_MAX_FILTER_LENGTH")
      .defaultsTo("4096", "characters of one postgres_changes filter");
  public static final Setting<Integer> MAX_FILTER_VALUES = Setting.integer("SLIPSTREAM_MAX_FILTER_VALUES")
      .defaultsTo("100", "values of one in.(...) filter");
  public static final Setting<Integer> MAX_TOPIC_LENGTH = Setting.integer("SLIPSTREAM_MAX_TOPIC_LENGTH")
      .defaultsTo("256", "characters of a channel topic");
  public static final Setting<Integer> MAX_PRESENCE_PAYLOAD_BYTES =
      Setting.intBytes("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES")
          .defaultsTo("10Ki", "JSON bytes of one presence track payload");
  public static final Setting<Integer> MAX_PRESENCES_PER_CLIENT = Setting.integer("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT")
      .defaultsTo("10", "channels of one client tracking presence at once");
  public static final Setting<Duration> JOIN_TIMEOUT = Setting.duration("SLIPSTREAM_JOIN_TIMEOUT")
      .defaultsTo("30s", "time an upgraded WebSocket may stay without joining a channel before it is closed (4002)");

  public static final Setting<Integer> RESUME_RING_EVENTS = Setting.integer("SLIPSTREAM_RESUME_RING_EVENTS")
      .defaultsTo("10000", "changes kept for resuming clients");

  // Who may read what.
  public static final Setting<String> JWT_SECRET = Setting.secret("SLIPSTREAM_JWT_SECRET")
      .optional("HS256/384/512 secret tokens are verified with; setting it (or a JWKS) requires tokens");
  public static final Setting<String> JWT_PREVIOUS_SECRET = Setting.secret("SLIPSTREAM_JWT_PREVIOUS_SECRET")
      .optional("the JWT secret before the last rotation: tokens signed with it are accepted too");
  public static final Setting<String> JWKS = Setting.text("SLIPSTREAM_JWKS")
      .optional("a JWK Set as JSON text, for RS/ES/EdDSA tokens, keys chosen by kid");
  public static final Setting<String> JWKS_FILE = Setting.text("SLIPSTREAM_JWKS_FILE")
      .optional("path of a JWK Set file, instead of SLIPSTREAM_JWKS");
  public static final Setting<String> AUTH = Setting.choiceIgnoringCase("SLIPSTREAM_AUTH", "required", "disabled")
      .computedDefault("required with a secret or JWKS, else disabled", "disabled: every client is anonymous "
          + "(dev mode)");
  public static final Setting<String> JWT_ISSUER = Setting.text("SLIPSTREAM_JWT_ISSUER")
      .optional("when set, a token's iss must equal it");
  public static final Setting<String> JWT_AUDIENCE = Setting.text("SLIPSTREAM_JWT_AUDIENCE")
      .optional("when set, a token's aud must be it or a list holding it");
  public static final Setting<List<String>> ACCESS_RULES = Setting.list("SLIPSTREAM_ACCESS_RULES")
      .defaultsTo("", "claim rules, schema.table:column=claim comma-separated");
  public static final Setting<List<String>> CHANNEL_RULES = Setting.list("SLIPSTREAM_CHANNEL_RULES")
      .defaultsTo("", "private channel rules, topicPrefix=claim comma-separated: a private topic starting with the "
          + "prefix is joined only when its next segment (up to ':') equals the token's claim");

  // Logs (logback.xml applies them; the runtime checks them first).
  public static final Setting<String> LOG_FORMAT = Setting.choice("SLIPSTREAM_LOG_FORMAT", "text", "json")
      .defaultsTo("text", "json for one JSON object per line");
  public static final Setting<String> LOG_LEVEL = Setting.choiceIgnoringCase("SLIPSTREAM_LOG_LEVEL",
          "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", "ALL")
      .defaultsTo("INFO", "level of the runtime's own loggers");

  /** Every setting, in the order above (docs/runtime.md's). */
  public static final List<Setting<?>> ALL = List.of(
      DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, DB_SSLMODE, DB_SSLROOTCERT, SLOT, PUBLICATIONS, STREAMED_MEMORY_BYTES, SPILL_DIR,
      HEARTBEAT_INTERVAL, REPLICATION_RECEIVE_TIMEOUT,
      TENANT, POD_NAME, POD_NAMESPACE, POD_IP, LEADER_LEASE, RELAY_PORT, RELAY_KEY, LEASE_DURATION, STATUS_INTERVAL, DRAIN_WINDOW,
      HOST, PORT, TLS_CERT_FILE, TLS_KEY_FILE, CLIENT_BUFFER_BYTES, MAX_PAYLOAD_BYTES, MAX_CLIENT_BYTES_HELD, CLIENT_INBOUND_BYTES_PER_SECOND,
      HANDSHAKE_TIMEOUT, IDLE_TIMEOUT,
      MAX_CLIENTS, MAX_CHANNELS_PER_CLIENT, MAX_JOINS_PER_SECOND, MAX_EVENTS_PER_SECOND,
      MAX_JOINS_PER_SECOND_PER_CLIENT, MAX_EVENTS_PER_SECOND_PER_CLIENT, MAX_BINDINGS_PER_CHANNEL,
      MAX_BINDINGS_PER_CLIENT, MAX_FILTER_LENGTH, MAX_FILTER_VALUES, MAX_TOPIC_LENGTH, MAX_PRESENCE_PAYLOAD_BYTES,
      MAX_PRESENCES_PER_CLIENT, JOIN_TIMEOUT,
      RESUME_RING_EVENTS,
      JWT_SECRET, JWT_PREVIOUS_SECRET, JWKS, JWKS_FILE, AUTH, JWT_ISSUER, JWT_AUDIENCE, ACCESS_RULES, CHANNEL_RULES,
      LOG_FORMAT, LOG_LEVEL);

  private static final Map<String, Setting<?>> BY_NAME = byName(ALL);

  private RuntimeConfig() {
  }

  /** The names of {@link #ALL}: every variable the runtime reads. */
  public static Set<String> names() {
    return BY_NAME.keySet();
  }

  /** The names of the settings without which the runtime does not start. */
  public static Set<String> requiredNames() {
    Set<String> required = new java.util.LinkedHashSet<>();
    ALL.stream().filter(Setting::required).forEach(setting -> required.add(setting.name()));
    return java.util.Collections.unmodifiableSet(required);
  }

  public static Optional<Setting<?>> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static Map<String, Setting<?>> byName(List<Setting<?>> settings) {
    Map<String, Setting<?>> byName = new LinkedHashMap<>();
    for (Setting<?> setting : settings) {
      if (byName.put(setting.name(), setting) != null) {
        throw new IllegalStateException(setting.name() + " is defined twice");
      }
    }
    return java.util.Collections.unmodifiableMap(byName);
  }
}
