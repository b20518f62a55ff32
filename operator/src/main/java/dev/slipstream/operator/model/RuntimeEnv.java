package dev.slipstream.operator.model;

/**
 * Environment variables of the runtime container: the runtime's configuration contract
 * ({@code dev.slipstream.runtime.Main}, docs/runtime.md). Kept in one place so the operator and the
 * runtime can be checked against each other.
 */
public final class RuntimeEnv {

  // Read by the runtime today (Main.fromEnvironment, AuthSettings).
  public static final String DB_HOST = "SLIPSTREAM_DB_HOST";
  public static final String DB_PORT = "SLIPSTREAM_DB_PORT";
  public static final String DB_NAME = "SLIPSTREAM_DB_NAME";
  public static final String DB_USER = "SLIPSTREAM_DB_USER";
  public static final String DB_PASSWORD = "SLIPSTREAM_DB_PASSWORD";
  public static final String DB_SSLMODE = "SLIPSTREAM_DB_SSLMODE";
  public static final String SLOT = "SLIPSTREAM_SLOT";
  public static final String PUBLICATIONS = "SLIPSTREAM_PUBLICATIONS";
  /** Claim-based row access, {@code schema.table:column=claim} comma-separated, from the publications. */
  public static final String ACCESS_RULES = "SLIPSTREAM_ACCESS_RULES";
  public static final String PORT = "SLIPSTREAM_PORT";
  public static final String CLIENT_BUFFER_BYTES = "SLIPSTREAM_CLIENT_BUFFER_BYTES";
  public static final String MAX_PAYLOAD_BYTES = "SLIPSTREAM_MAX_PAYLOAD_BYTES";
  public static final String SPILL_DIR = "SLIPSTREAM_SPILL_DIR";
  public static final String MAX_CLIENTS = "SLIPSTREAM_MAX_CLIENTS";
  public static final String MAX_EVENTS_PER_SECOND = "SLIPSTREAM_MAX_EVENTS_PER_SECOND";
  public static final String MAX_CHANNELS_PER_CLIENT = "SLIPSTREAM_MAX_CHANNELS_PER_CLIENT";
  public static final String MAX_JOINS_PER_SECOND = "SLIPSTREAM_MAX_JOINS_PER_SECOND";
  public static final String JWT_SECRET = "SLIPSTREAM_JWT_SECRET";
  // The runtime's caps and timeouts against hostile clients (spec.limits): counts as decimal
  // integers, byte sizes as plain byte counts, durations as the CRD writes them ("60s").
  public static final String MAX_EVENTS_PER_SECOND_PER_CLIENT = "SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT";
  public static final String MAX_JOINS_PER_SECOND_PER_CLIENT = "SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT";
  public static final String CLIENT_INBOUND_BYTES_PER_SECOND = "SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND";
  public static final String MAX_BINDINGS_PER_CHANNEL = "SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL";
  public static final String MAX_BINDINGS_PER_CLIENT = "SLIPSTREAM_MAX_BINDINGS_PER_CLIENT";
  public static final String MAX_FILTER_LENGTH = "SLIPSTREAM_MAX_FILTER_LENGTH";
  public static final String MAX_FILTER_VALUES = "SLIPSTREAM_MAX_FILTER_VALUES";
  public static final String MAX_TOPIC_LENGTH = "SLIPSTREAM_MAX_TOPIC_LENGTH";
  public static final String MAX_PRESENCE_PAYLOAD_BYTES = "SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES";
  public static final String MAX_PRESENCES_PER_CLIENT = "SLIPSTREAM_MAX_PRESENCES_PER_CLIENT";
  public static final String HANDSHAKE_TIMEOUT = "SLIPSTREAM_HANDSHAKE_TIMEOUT";
  public static final String JOIN_TIMEOUT = "SLIPSTREAM_JOIN_TIMEOUT";
  public static final String IDLE_TIMEOUT = "SLIPSTREAM_IDLE_TIMEOUT";

  // For the runtime's scale-out (Lease, relay, own status entry) and heartbeats: set now so that a
  // runtime which learns to read them needs no operator change. Today's runtime ignores them.
  public static final String TENANT = "SLIPSTREAM_TENANT";
  public static final String LEADER_LEASE = "SLIPSTREAM_LEADER_LEASE";
  public static final String RELAY_SERVICE = "SLIPSTREAM_RELAY_SERVICE";
  public static final String RELAY_PORT = "SLIPSTREAM_RELAY_PORT";
  public static final String HEARTBEAT_INTERVAL = "SLIPSTREAM_HEARTBEAT_INTERVAL";

  // The pod's own identity, from the downward API: the Lease holder and the status.runtime.pods[] key.
  public static final String POD_NAME = "POD_NAME";
  public static final String POD_NAMESPACE = "POD_NAMESPACE";

  private RuntimeEnv() {
  }
}
