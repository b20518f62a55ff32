package dev.slipstream.runtime.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The slot and publication names reach PostgreSQL as text (START_REPLICATION, a simple-protocol
 * query on the walsender connection): anything that could end the text they sit in is refused at
 * startup.
 */
class ReplicationSettingsTest {

  private static ReplicationSettings settings(String slot, String publication) {
    return new ReplicationSettings("localhost", 5432, "app", "app", "pw", "disable", slot, List.of(publication),
        ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT, Path.of("/tmp"), Duration.ofSeconds(10), Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"slipstream_acme_acme", "a", "slot_0123456789_0123456789_0123456789_0123456789_0123456789_abc"})
  void postgresSlotNamesAreAccepted(String slot) {
    assertThat(settings(slot, "pub").slotName()).isEqualTo(slot);
  }

  @ParameterizedTest
  @ValueSource(strings = {"slot'; DROP TABLE victim; --", "slot\"x", "Slot", "slot-1", "slot name", "",
      "slot_0123456789_0123456789_0123456789_0123456789_0123456789_abcd"})
  void anythingElseAsASlotNameIsRefused(String slot) {
    assertThatThrownBy(() -> settings(slot, "pub")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replication slot name '" + slot + "' is not valid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme_orders", "Orders \"2025\"", "größe"})
  void publicationNamesMayHoldAnythingButASingleQuote(String publication) {
    assertThat(settings("slot", publication).publications()).containsExactly(publication);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pub', \"messages\" 'true", "pub'); DROP TABLE victim; --", "p\0b",
      "a_publication_name_that_is_much_longer_than_sixty_three_bytes_long"})
  void aPublicationNameThatCouldEndTheOptionIsRefused(String publication) {
    assertThatThrownBy(() -> settings("slot", publication)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("publication name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"db/app?socketFactory=java.io.FileOutputStream&socketFactoryArg=/tmp/x#", "db?sslmode=disable",
      "user@db", "db:5432", "db name"})
  void aHostThatCouldAddDriverParametersIsRefused(String host) {
    assertThatThrownBy(() -> new ReplicationSettings(host, 5432, "app", "app", "pw", "disable", "slot", List.of("pub"),
        ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT, Path.of("/tmp"), Duration.ofSeconds(10), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a host name or IP address");
  }

  @Test
  void theDatabaseNameIsEncodedAndAnIpv6HostBracketed() {
    ReplicationSettings settings = new ReplicationSettings("::1", 5432, "app?socketFactory=x", "app", "pw", "disable", "slot",
        List.of("pub"), ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT, Path.of("/tmp"), Duration.ofSeconds(10),
        Duration.ofSeconds(5));
    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/app%3FsocketFactory%3Dx");
  }

  @Test
  void verifyFullTrustsTheCaFileOrElseTheJvmsCas() {
    ReplicationSettings withCa = tls("verify-full", "/etc/slipstream/database-ca/ca.crt");
    assertThat(withCa.loginProperties("x").getProperty("sslrootcert")).isEqualTo("/etc/slipstream/database-ca/ca.crt");
    assertThat(withCa.loginProperties("x").getProperty("sslfactory")).isNull();
    assertThat(withCa.toString()).contains("sslRootCert=/etc/slipstream/database-ca/ca.crt").doesNotContain("pw");

    ReplicationSettings jvmCas = tls("verify-full", null);
    assertThat(jvmCas.loginProperties("x").getProperty("sslfactory")).isEqualTo("org.postgresql.ssl.DefaultJavaSSLFactory");
    assertThat(jvmCas.loginProperties("x").getProperty("sslrootcert")).isNull();

    assertThat(tls("require", null).loginProperties("x").getProperty("sslfactory")).isNull();
  }

  @Test
  void aCaFileWithoutVerifyFullIsRefusedNamingBothVariables() {
    assertThatThrownBy(() -> tls("require", "/ca.crt")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a CA file (SLIPSTREAM_DB_SSLROOTCERT) needs sslmode verify-full (SLIPSTREAM_DB_SSLMODE), not "
            + "require: only verify-full checks the server's certificate");
  }

  private static ReplicationSettings tls(String sslMode, String caFile) {
    return new ReplicationSettings("db.acme.svc", 5432, "app", "app", "pw", sslMode, "slot", List.of("pub"),
        ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT, Path.of("/tmp"), Duration.ofSeconds(10), Duration.ofSeconds(5),
        ReplicationSettings.DEFAULT_HEARTBEAT_INTERVAL, caFile);
  }
}
