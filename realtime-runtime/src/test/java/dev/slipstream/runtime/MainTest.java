package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.runtime.config.Setting;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.transport.ConnectionLimits;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The runtime's configuration as the operator's ConfigMap and Secrets give it. */
class MainTest {

  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("SLIPSTREAM_DB_HOST", "db");
    env.put("SLIPSTREAM_DB_NAME", "app");
    env.put("SLIPSTREAM_DB_USER", "realtime");
    env.put("SLIPSTREAM_DB_PASSWORD", "s3cret-password");
    env.put("SLIPSTREAM_SLOT", "slipstream_acme");
    env.put("SLIPSTREAM_PUBLICATIONS", "acme_orders, acme_items");
    return env;
  }

  @Test
  void defaultsWithoutSecretsOrRules() {
    RuntimeSettings settings = Main.fromEnvironment(minimal());
    assertThat(settings.replication().publications()).containsExactly("acme_orders", "acme_items");
    assertThat(settings.auth().required()).isFalse();
    assertThat(settings.access().isEmpty()).isTrue();
    assertThat(settings.limits().maxJoinsPerSecond()).isEqualTo(500);
  }

  @Test
  void readsWhatTheOperatorWrites() {
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_JWT_SECRET", "a-tenant-secret-of-at-least-32-characters");
    env.put("SLIPSTREAM_ACCESS_RULES", "public.orders:customer_id=sub");
    env.put("SLIPSTREAM_CHANNEL_RULES", "org:=app_metadata.org_id,team-=team");
    env.put("SLIPSTREAM_MAX_CLIENTS", "1000");
    env.put("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", "5");
    env.put("SLIPSTREAM_MAX_JOINS_PER_SECOND", "50");
    env.put("SLIPSTREAM_MAX_EVENTS_PER_SECOND", "200");
    env.put("SLIPSTREAM_MAX_PAYLOAD_BYTES", "64Ki");
    env.put("SLIPSTREAM_LOG_FORMAT", "json");
    RuntimeSettings settings = Main.fromEnvironment(env);
    assertThat(settings.auth().required()).isTrue();
    assertThat(settings.access().isEmpty()).isFalse();
    assertThat(settings.channelRules().rules()).containsExactly(
        new dev.slipstream.runtime.auth.ChannelRule("org:", "app_metadata.org_id"),
        new dev.slipstream.runtime.auth.ChannelRule("team-", "team"));
    assertThat(settings.limits()).isEqualTo(new dev.slipstream.runtime.limits.TenantLimits(1000, 5, 50, 200, 65536));
    assertThat(settings.toString()).doesNotContain("a-tenant-secret").doesNotContain("s3cret-password");
  }

  @Test
  void readsTheCapsAndTimeoutsAgainstHostileClients() {
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT", "20");
    env.put("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT", "4");
    env.put("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", "256Ki");
    env.put("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", "10");
    env.put("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", "50");
    env.put("SLIPSTREAM_MAX_FILTER_LENGTH", "512");
    env.put("SLIPSTREAM_MAX_FILTER_VALUES", "20");
    env.put("SLIPSTREAM_MAX_TOPIC_LENGTH", "64");
    env.put("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", "2048");
    env.put("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT", "3");
    env.put("SLIPSTREAM_HANDSHAKE_TIMEOUT", "5s");
    env.put("SLIPSTREAM_JOIN_TIMEOUT", "1m30s");
    env.put("SLIPSTREAM_IDLE_TIMEOUT", "1.5m");
    env.put("SLIPSTREAM_MAX_CLIENT_BYTES_HELD", "64Mi");

    RuntimeSettings settings = Main.fromEnvironment(env);

    TenantLimits limits = settings.limits();
    assertThat(limits.maxEventsPerSecondPerClient()).isEqualTo(20);
    assertThat(limits.maxJoinsPerSecondPerClient()).isEqualTo(4);
    assertThat(limits.maxBindingsPerChannel()).isEqualTo(10);
    assertThat(limits.maxBindingsPerClient()).isEqualTo(50);
    assertThat(limits.maxFilterLength()).isEqualTo(512);
    assertThat(limits.maxFilterValues()).isEqualTo(20);
    assertThat(limits.maxTopicLength()).isEqualTo(64);
    assertThat(limits.maxPresencePayloadBytes()).isEqualTo(2048);
    assertThat(limits.maxPresencesPerClient()).isEqualTo(3);
    assertThat(limits.joinTimeout()).isEqualTo(Duration.ofSeconds(90));
    ConnectionLimits connections = settings.server().connections();
    assertThat(connections.inboundBytesPerSecond()).isEqualTo(256 * 1024);
    assertThat(connections.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(connections.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(connections.maxHeldBytes()).isEqualTo(64L << 20);
  }

  @Test
  void theDefaultsAreTheCrdsDefaults() {
    RuntimeSettings settings = Main.fromEnvironment(minimal());

    assertThat(settings.limits()).isEqualTo(TenantLimits.DEFAULTS);
    assertThat(settings.server().connections().handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.server().connections().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.server().connections().inboundBytesPerSecond()).isEqualTo(1 << 20);
  }

  @Test
  void badDurationsAndSizesAreRefusedByName() {
    for (String bad : new String[] {"60", "0s", "PT60S", "1 m", "-5s"}) {
      Map<String, String> env = minimal();
      env.put("SLIPSTREAM_IDLE_TIMEOUT", bad);
      assertThatThrownBy(() -> Main.fromEnvironment(env)).as(bad)
          .hasMessageStartingWith("SLIPSTREAM_IDLE_TIMEOUT must be a positive duration");
    }
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", "4Gi");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageStartingWith("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES");
    env.remove("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES");
    env.put("SLIPSTREAM_MAX_TOPIC_LENGTH", "0");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageContaining("maxTopicLength");
  }

  @Test
  void badValuesAreRefusedByName() {
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_LOG_FORMAT", "xml");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessage("SLIPSTREAM_LOG_FORMAT must be text or json, not 'xml'");
    env.put("SLIPSTREAM_LOG_FORMAT", "text");
    env.put("SLIPSTREAM_ACCESS_RULES", "orders-without-a-column");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageContaining("SLIPSTREAM_ACCESS_RULES")
        .hasMessageContaining("orders-without-a-column");
    env.remove("SLIPSTREAM_ACCESS_RULES");
    env.put("SLIPSTREAM_CHANNEL_RULES", "org:");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessage(
        "SLIPSTREAM_CHANNEL_RULES: channel rule 'org:' is not topicPrefix=claim");
    env.remove("SLIPSTREAM_CHANNEL_RULES");
    env.put("SLIPSTREAM_MAX_CLIENTS", "0");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageContaining("maxClients");
    env.remove("SLIPSTREAM_MAX_CLIENTS");
    env.remove("SLIPSTREAM_SLOT");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessage("SLIPSTREAM_SLOT must be set");
  }

  @Test
  void aBadLogLevelIsRefusedByName() {
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_LOG_LEVEL", "debug");
    Main.fromEnvironment(env);
    env.put("SLIPSTREAM_LOG_LEVEL", "warning");
    assertThatThrownBy(() -> Main.fromEnvironment(env))
        .hasMessage("SLIPSTREAM_LOG_LEVEL must be TRACE, DEBUG, INFO, WARN, ERROR, OFF or ALL, not 'warning'");
  }

  /**
   * The contract from the runtime's side, (1): it reads exactly the variables of {@link RuntimeConfig#ALL}, by name
   * (the operator's tests check that it sets nothing else). A variable read without being declared, or declared
   * without being read, fails here.
   */
  @Test
  void readsExactlyTheVariablesOfTheContract() {
    Set<String> asked = new TreeSet<>();
    for (Map<String, String> env : List.of(minimal(), everything())) {
      RecordingEnvironment recording = new RecordingEnvironment(env);
      Main.fromEnvironment(recording);
      asked.addAll(recording.asked);
    }
    assertThat(asked).containsExactlyInAnyOrderElementsOf(RuntimeConfig.names());
  }

  /**
   * The contract from the runtime's side, (2): it requires exactly the settings the contract marks required (the
   * operator's tests check that it sets every one of them).
   */
  @Test
  void requiresExactlyTheRequiredVariablesOfTheContract() {
    assertThat(minimal().keySet()).containsExactlyInAnyOrderElementsOf(RuntimeConfig.requiredNames());
    Main.fromEnvironment(minimal());
    for (String name : RuntimeConfig.requiredNames()) {
      Map<String, String> env = minimal();
      env.remove(name);
      assertThatThrownBy(() -> Main.fromEnvironment(env)).as(name).hasMessage(name + " must be set");
      env.put(name, " ");
      assertThatThrownBy(() -> Main.fromEnvironment(env)).as(name).hasMessage(name + " must be set");
    }
  }

  @Test
  void theContractsDefaultsAreTheRuntimes() {
    RuntimeSettings settings = Main.fromEnvironment(minimal());

    assertThat(settings.replication().port()).isEqualTo(5432);
    assertThat(settings.replication().sslMode()).isEqualTo("prefer");
    assertThat(settings.replication().streamedMemoryLimitBytes())
        .isEqualTo(ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT);
    assertThat(settings.replication().spillDirectory().toString()).endsWith("slipstream-spill");
    assertThat(settings.server().connections().handshakeTimeout())
        .isEqualTo(ConnectionLimits.DEFAULT_HANDSHAKE_TIMEOUT);
    assertThat(settings.server().connections().idleTimeout()).isEqualTo(ConnectionLimits.DEFAULT_IDLE_TIMEOUT);
    assertThat(settings.server().connections().clientBufferBytes()).isEqualTo(1 << 20);
  }

  /** Every variable set: the required ones, each with a fixed default set to it, and a JWT secret. */
  private static Map<String, String> everything() {
    Map<String, String> env = minimal();
    for (Setting<?> setting : RuntimeConfig.ALL) {
      if (setting.defaultValue().isPresent() && !setting.documentedDefault().orElseThrow().isEmpty()) {
        env.putIfAbsent(setting.name(), setting.documentedDefault().orElseThrow());
      }
    }
    env.put("SLIPSTREAM_JWT_SECRET", "a-tenant-secret-of-at-least-32-characters");
    env.put("SLIPSTREAM_ACCESS_RULES", "public.orders:customer_id=sub");
    env.put("SLIPSTREAM_MAX_CLIENT_BYTES_HELD", "64Mi");
    env.put("SLIPSTREAM_SPILL_DIR", "/tmp/spill");
    env.put("SLIPSTREAM_AUTH", "required");
    return env;
  }

  /** Records the names asked for, and refuses to be listed: the runtime reads its variables by name. */
  private static final class RecordingEnvironment extends AbstractMap<String, String> {

    private final Map<String, String> values;
    private final Set<String> asked = new TreeSet<>();

    RecordingEnvironment(Map<String, String> values) {
      this.values = values;
    }

    @Override
    public String get(Object name) {
      asked.add((String) name);
      return values.get(name);
    }

    @Override
    public boolean containsKey(Object name) {
      asked.add((String) name);
      return values.containsKey(name);
    }

    @Override
    public String getOrDefault(Object name, String fallback) {
      asked.add((String) name);
      return values.getOrDefault(name, fallback);
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
      throw new UnsupportedOperationException("the runtime reads its variables by name");
    }
  }

  @Test
  void runsAloneWithoutATenant() {
    assertThat(Main.fromEnvironment(minimal()).cluster()).isNull();
  }

  @Test
  void takesPartInItsTenantWithTheDownwardApi() {
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_TENANT", "acme");
    env.put("SLIPSTREAM_POD_NAME", "acme-runtime-7d9f-x2k4p");
    env.put("SLIPSTREAM_POD_NAMESPACE", "tenants");
    env.put("SLIPSTREAM_POD_IP", "10.1.2.3");
    env.put("SLIPSTREAM_RELAY_PORT", "4101");
    var cluster = Main.fromEnvironment(env).cluster();
    assertThat(cluster.tenant()).isEqualTo("acme");
    assertThat(cluster.pod()).isEqualTo("acme-runtime-7d9f-x2k4p");
    assertThat(cluster.namespace()).isEqualTo("tenants");
    assertThat(cluster.lease()).isEqualTo("acme-runtime-leader");
    assertThat(cluster.relayAddress()).isEqualTo("10.1.2.3:4101");
    assertThat(cluster.leaseDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(cluster.statusInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(cluster.relayKey()).as("no relay key: the database password keys the relay").isNull();

    env.put("SLIPSTREAM_RELAY_KEY", "c2xpcHN0cmVhbS1yZWxheS1rZXk=");
    assertThat(Main.fromEnvironment(env).cluster().relayKey()).isEqualTo("c2xpcHN0cmVhbS1yZWxheS1rZXk=");
  }

  @Test
  void aTenantWithoutItsPodIsRefusedByName() {
    Map<String, String> env = minimal();
    env.put("SLIPSTREAM_TENANT", "acme");
    env.put("SLIPSTREAM_POD_NAMESPACE", "tenants");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageStartingWith("SLIPSTREAM_POD_NAME must be set");
    env.put("SLIPSTREAM_POD_NAME", "p");
    env.put("SLIPSTREAM_LEASE_DURATION", "1s");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageContaining("SLIPSTREAM_LEASE_DURATION");
  }
}
