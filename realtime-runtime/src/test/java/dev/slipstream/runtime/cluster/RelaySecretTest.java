package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.replication.ReplicationSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which secret keys the relay: the tenant's relay key when the pod has one, else the database password. */
class RelaySecretTest {

  private static final ReplicationSettings DATABASE = new ReplicationSettings("db", 5432, "app", "app",
      "the-database-password", "disable", "slot", List.of("pub"), ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT,
      Path.of("/tmp"), Duration.ofSeconds(10), Duration.ofSeconds(5));

  @Test
  void theRelayKeyWinsOverTheDatabasePassword() {
    assertThat(RoleSwitch.relaySecret(cluster("the-relay-key"), DATABASE))
        .isEqualTo("the-relay-key".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void withoutARelayKeyTheDatabasePasswordKeysTheRelay() {
    assertThat(RoleSwitch.relaySecret(cluster(null), DATABASE))
        .isEqualTo("the-database-password".getBytes(StandardCharsets.UTF_8));
    assertThat(RoleSwitch.relaySecret(cluster("  "), DATABASE)).as("a blank key counts as none")
        .isEqualTo("the-database-password".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSettingsNeverPrintTheKey() {
    assertThat(cluster("the-relay-key").toString()).doesNotContain("the-relay-key").contains("relayKey=<redacted>");
    assertThat(cluster(null).toString()).contains("relayKey=(the database password)");
  }

  private static ClusterSettings cluster(String relayKey) {
    return new ClusterSettings("acme", "ns", "pod-a", "10.0.0.1", "acme-runtime-leader", 4001, Duration.ofSeconds(5),
        Duration.ofSeconds(5), relayKey);
  }
}
