package dev.slipstream.operator.model;

import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.runtime.config.Setting;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMap {@code <tenant>-runtime}: the runtime's non-secret environment, loaded with
 * {@code envFrom}. Secrets stay out of it; the Deployment maps them with {@code secretKeyRef}.
 */
final class RuntimeConfigMap {

  private RuntimeConfigMap() {
  }

  static ConfigMap build(RuntimeModel model) {
    return new ConfigMapBuilder()
        .withMetadata(model.metadata(model.names().runtime()))
        .withData(data(model))
        .build();
  }

  /**
   * Sorted by name, so the YAML and the checksum never depend on insertion order. Only variables the runtime
   * reads ({@link RuntimeConfig}), each written as it parses them.
   */
  static Map<String, String> data(RuntimeModel model) {
    DatabaseConnection database = model.database();
    RuntimeLimits limits = model.limits();
    Map<String, String> data = new TreeMap<>();
    put(data, RuntimeConfig.DB_HOST, database.host());
    put(data, RuntimeConfig.DB_PORT, database.port());
    put(data, RuntimeConfig.DB_NAME, database.name());
    put(data, RuntimeConfig.DB_SSLMODE, database.sslMode());
    if (database.hasCa()) {
      put(data, RuntimeConfig.DB_SSLROOTCERT, RuntimeDeployment.DATABASE_CA_FILE);
    }
    put(data, RuntimeConfig.SLOT, model.slotName());
    put(data, RuntimeConfig.PUBLICATIONS, model.publicationNames());
    put(data, RuntimeConfig.ACCESS_RULES, model.accessRules());
    if (!model.channelRules().isEmpty()) {
      // Left out when empty (the runtime's default): tenants without rules keep their checksum, so upgrading the
      // operator does not roll their pods.
      put(data, RuntimeConfig.CHANNEL_RULES, model.channelRules());
    }
    putIfSet(data, RuntimeConfig.JWT_ISSUER, model.jwtIssuer());
    putIfSet(data, RuntimeConfig.JWT_AUDIENCE, model.jwtAudience());
    put(data, RuntimeConfig.PORT, RuntimeModel.HTTP_PORT);
    if (model.servesTls()) {
      put(data, RuntimeConfig.TLS_CERT_FILE, RuntimeDeployment.TLS_CERT_FILE);
      put(data, RuntimeConfig.TLS_KEY_FILE, RuntimeDeployment.TLS_KEY_FILE);
    }
    // The tenant's pods elect a leader on this Lease and relay on this port; the pod's own name,
    // namespace and address come from the downward API (RuntimeDeployment).
    put(data, RuntimeConfig.TENANT, model.tenantName());
    put(data, RuntimeConfig.LEADER_LEASE, model.names().leaderLease());
    put(data, RuntimeConfig.RELAY_PORT, RuntimeModel.RELAY_PORT);
    put(data, RuntimeConfig.CLIENT_BUFFER_BYTES, limits.clientBufferBytes());
    put(data, RuntimeConfig.MAX_PAYLOAD_BYTES, limits.maxPayloadBytes());
    put(data, RuntimeConfig.MAX_CLIENTS, limits.maxClients());
    put(data, RuntimeConfig.MAX_EVENTS_PER_SECOND, limits.maxEventsPerSecond());
    put(data, RuntimeConfig.MAX_CHANNELS_PER_CLIENT, limits.maxChannelsPerClient());
    put(data, RuntimeConfig.MAX_JOINS_PER_SECOND, limits.maxJoinsPerSecond());
    put(data, RuntimeConfig.MAX_EVENTS_PER_SECOND_PER_CLIENT, limits.maxEventsPerSecondPerClient());
    put(data, RuntimeConfig.MAX_JOINS_PER_SECOND_PER_CLIENT, limits.maxJoinsPerSecondPerClient());
    put(data, RuntimeConfig.CLIENT_INBOUND_BYTES_PER_SECOND, limits.clientInboundBytesPerSecond());
    put(data, RuntimeConfig.MAX_BINDINGS_PER_CHANNEL, limits.maxBindingsPerChannel());
    put(data, RuntimeConfig.MAX_BINDINGS_PER_CLIENT, limits.maxBindingsPerClient());
    put(data, RuntimeConfig.MAX_FILTER_LENGTH, limits.maxFilterLength());
    put(data, RuntimeConfig.MAX_FILTER_VALUES, limits.maxFilterValues());
    put(data, RuntimeConfig.MAX_TOPIC_LENGTH, limits.maxTopicLength());
    put(data, RuntimeConfig.MAX_PRESENCE_PAYLOAD_BYTES, limits.maxPresencePayloadBytes());
    put(data, RuntimeConfig.MAX_PRESENCES_PER_CLIENT, limits.maxPresencesPerClient());
    // Durations as the CRD writes them (60s stays 60s), checked to be what the runtime parses.
    putAsWritten(data, RuntimeConfig.HANDSHAKE_TIMEOUT, limits.handshakeTimeout());
    putAsWritten(data, RuntimeConfig.JOIN_TIMEOUT, limits.joinTimeout());
    putAsWritten(data, RuntimeConfig.IDLE_TIMEOUT, limits.idleTimeout());
    putAsWritten(data, RuntimeConfig.HEARTBEAT_INTERVAL, model.heartbeatInterval());
    return data;
  }

  private static <T> void put(Map<String, String> data, Setting<T> setting, T value) {
    data.put(setting.name(), setting.write(value));
  }

  /** Optional settings are left out when unset, so the runtime reads them as unset, not as empty text. */
  private static <T> void putIfSet(Map<String, String> data, Setting<T> setting, T value) {
    if (value != null) {
      put(data, setting, value);
    }
  }

  private static void putAsWritten(Map<String, String> data, Setting<?> setting, String text) {
    data.put(setting.name(), setting.writeChecked(text));
  }
}
