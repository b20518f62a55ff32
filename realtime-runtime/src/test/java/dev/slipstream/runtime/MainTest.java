package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import java.util.HashMap;
import java.util.Map;
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
    env.put("SLIPSTREAM_MAX_CLIENTS", "1000");
    env.put("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", "5");
    env.put("SLIPSTREAM_MAX_JOINS_PER_SECOND", "50");
    env.put("SLIPSTREAM_MAX_EVENTS_PER_SECOND", "200");
    env.put("SLIPSTREAM_MAX_PAYLOAD_BYTES", "64Ki");
    env.put("SLIPSTREAM_LOG_FORMAT", "json");
    RuntimeSettings settings = Main.fromEnvironment(env);
    assertThat(settings.auth().required()).isTrue();
    assertThat(settings.access().isEmpty()).isFalse();
    assertThat(settings.limits()).isEqualTo(new dev.slipstream.runtime.limits.TenantLimits(1000, 5, 50, 200, 65536));
    assertThat(settings.toString()).doesNotContain("a-tenant-secret").doesNotContain("s3cret-password");
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
    env.put("SLIPSTREAM_MAX_CLIENTS", "0");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessageContaining("maxClients");
    env.remove("SLIPSTREAM_MAX_CLIENTS");
    env.remove("SLIPSTREAM_SLOT");
    assertThatThrownBy(() -> Main.fromEnvironment(env)).hasMessage("SLIPSTREAM_SLOT must be set");
  }
}
