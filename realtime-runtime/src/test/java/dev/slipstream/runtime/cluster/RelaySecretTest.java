package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.replication.ReplicationSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which secrets key the relay: the tenant's relay key when the pod has one, then the database password. */
class RelaySecretTest {

  private static final ReplicationSettings DATABASE = new ReplicationSettings("db", 5432, "app", "app",
      "the-database-password", "disable", "slot", List.of("pub"), ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT,
      Path.of("/tmp"), Duration.ofSeconds(10), Duration.ofSeconds(5));

  @Test
  void theRelayKeyComesFirstThenTheDatabasePassword() {
    assertThat(RoleSwitch.relaySecrets(cluster("the-relay-key"), DATABASE))
        .containsExactly(bytes("the-relay-key"), bytes("the-database-password"));
  }

  @Test
  void withoutARelayKeyTheDatabasePasswordAloneKeysTheRelay() {
    assertThat(RoleSwitch.relaySecrets(cluster(null), DATABASE)).containsExactly(bytes("the-database-password"));
    assertThat(RoleSwitch.relaySecrets(cluster("  "), DATABASE)).as("a blank key counts as none")
        .containsExactly(bytes("the-database-password"));
    assertThat(RoleSwitch.relaySecrets(cluster("the-database-password"), DATABASE)).as("once")
        .containsExactly(bytes("the-database-password"));
  }

  @Test
  void theSettingsNeverPrintTheKey() {
    assertThat(cluster("the-relay-key").toString()).doesNotContain("the-relay-key").contains("relayKey=<redacted>");
    assertThat(cluster(null).toString()).contains("relayKey=(the database password)");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ClusterSettings cluster(String relayKey) {
    return new ClusterSettings("acme", "ns", "pod-a", "10.0.0.1", "acme-runtime-leader", 4001, Duration.ofSeconds(5),
        Duration.ofSeconds(5), relayKey);
  }
}
