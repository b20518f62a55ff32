package dev.slipstream.operator.model;

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

  /** Sorted by name, so the YAML and the checksum never depend on insertion order. */
  static Map<String, String> data(RuntimeModel model) {
    DatabaseConnection database = model.database();
    RuntimeLimits limits = model.limits();
    Map<String, String> data = new TreeMap<>();
    data.put(RuntimeEnv.DB_HOST, database.host());
    data.put(RuntimeEnv.DB_PORT, Integer.toString(database.port()));
    data.put(RuntimeEnv.DB_NAME, database.name());
    data.put(RuntimeEnv.DB_SSLMODE, database.sslMode());
    data.put(RuntimeEnv.SLOT, model.slotName());
    data.put(RuntimeEnv.PUBLICATIONS, String.join(",", model.publicationNames()));
    data.put(RuntimeEnv.ACCESS_RULES, String.join(",", model.accessRules()));
    data.put(RuntimeEnv.PORT, Integer.toString(RuntimeModel.HTTP_PORT));
    data.put(RuntimeEnv.CLIENT_BUFFER_BYTES, Long.toString(limits.clientBufferBytes()));
    data.put(RuntimeEnv.MAX_PAYLOAD_BYTES, Long.toString(limits.maxPayloadBytes()));
    data.put(RuntimeEnv.TENANT, model.tenantName());
    data.put(RuntimeEnv.LEADER_LEASE, model.names().leaderLease());
    data.put(RuntimeEnv.RELAY_SERVICE, model.names().relayService());
    data.put(RuntimeEnv.RELAY_PORT, Integer.toString(RuntimeModel.RELAY_PORT));
    data.put(RuntimeEnv.HEARTBEAT_INTERVAL, model.heartbeatInterval());
    data.put(RuntimeEnv.MAX_CLIENTS, Integer.toString(limits.maxClients()));
    data.put(RuntimeEnv.MAX_EVENTS_PER_SECOND, Integer.toString(limits.maxEventsPerSecond()));
    data.put(RuntimeEnv.MAX_CHANNELS_PER_CLIENT, Integer.toString(limits.maxChannelsPerClient()));
    data.put(RuntimeEnv.MAX_JOINS_PER_SECOND, Integer.toString(limits.maxJoinsPerSecond()));
    data.put(RuntimeEnv.MAX_EVENTS_PER_SECOND_PER_CLIENT, Integer.toString(limits.maxEventsPerSecondPerClient()));
    data.put(RuntimeEnv.MAX_JOINS_PER_SECOND_PER_CLIENT, Integer.toString(limits.maxJoinsPerSecondPerClient()));
    data.put(RuntimeEnv.CLIENT_INBOUND_BYTES_PER_SECOND, Long.toString(limits.clientInboundBytesPerSecond()));
    data.put(RuntimeEnv.MAX_BINDINGS_PER_CHANNEL, Integer.toString(limits.maxBindingsPerChannel()));
    data.put(RuntimeEnv.MAX_BINDINGS_PER_CLIENT, Integer.toString(limits.maxBindingsPerClient()));
    data.put(RuntimeEnv.MAX_FILTER_LENGTH, Integer.toString(limits.maxFilterLength()));
    data.put(RuntimeEnv.MAX_FILTER_VALUES, Integer.toString(limits.maxFilterValues()));
    data.put(RuntimeEnv.MAX_TOPIC_LENGTH, Integer.toString(limits.maxTopicLength()));
    data.put(RuntimeEnv.MAX_PRESENCE_PAYLOAD_BYTES, Long.toString(limits.maxPresencePayloadBytes()));
    data.put(RuntimeEnv.MAX_PRESENCES_PER_CLIENT, Integer.toString(limits.maxPresencesPerClient()));
    data.put(RuntimeEnv.HANDSHAKE_TIMEOUT, limits.handshakeTimeout());
    data.put(RuntimeEnv.JOIN_TIMEOUT, limits.joinTimeout());
    data.put(RuntimeEnv.IDLE_TIMEOUT, limits.idleTimeout());
    return data;
  }
}
