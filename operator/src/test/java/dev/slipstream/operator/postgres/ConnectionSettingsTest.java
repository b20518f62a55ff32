package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.DatabaseSpec;
import dev.slipstream.api.v1alpha1.SslMode;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionSettingsTest {

  private static final String PASSWORD = "Tr0ub4dor&3";

  @Test
  void toStringLeavesThePasswordOut() {
    ConnectionSettings settings = new ConnectionSettings("db", 5432, "app", "app", PASSWORD, null, null);

    assertThat(settings.toString()).doesNotContain(PASSWORD).contains("password=****").contains("app@db:5432/app");
  }

  @Test
  void theUrlCarriesNoCredentialsAndEncodesTheDatabase() {
    ConnectionSettings settings = new ConnectionSettings("::1", 6543, "my app/ü", "app", PASSWORD, null, null);

    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:6543/my%20app%2F%C3%BC");
    assertThat(settings.endpoint()).isEqualTo("[::1]:6543/my app/ü");
  }

  @Test
  void propertiesCarryTheTimeoutsInSeconds() {
    Properties props = new ConnectionSettings("db", 5432, "app", "app", PASSWORD, "require", null).properties();

    assertThat(props).containsEntry("user", "app").containsEntry("password", PASSWORD)
        .containsEntry("sslmode", "require").containsEntry("connectTimeout", "5").containsEntry("loginTimeout", "10")
        .containsEntry("socketTimeout", "15").containsEntry("ApplicationName", "slipstream-operator");
  }

  @Test
  void fromTheSpecWithItsDefaults() {
    DatabaseSpec spec = new DatabaseSpec();
    spec.setHost("acme-db.acme.svc");
    spec.setName("app");

    ConnectionSettings settings = ConnectionSettings.of(spec, "app", PASSWORD);

    assertThat(settings.port()).isEqualTo(5432);
    assertThat(settings.sslMode()).isEqualTo("prefer");
    spec.setSslMode(SslMode.VERIFY_FULL);
    assertThat(ConnectionSettings.of(spec, "app", PASSWORD).sslMode()).isEqualTo("verify-full");
  }

  @Test
  void redactsEveryOccurrence() {
    ConnectionSettings settings = new ConnectionSettings("db", 5432, "app", "app", PASSWORD, null, null);

    assertThat(settings.redact("a " + PASSWORD + " b " + PASSWORD)).isEqualTo("a **** b ****");
    assertThat(new ConnectionSettings("db", 5432, "app", "app", null, null, null).redact("text")).isEqualTo("text");
  }

  @Test
  void aPasswordThatIsPartOfAPublicNameIsNotMasked() {
    ConnectionSettings settings = new ConnectionSettings("db", 5432, "postgres", "postgres", "postgres", null, null);

    assertThat(settings.redact("role postgres rejected")).isEqualTo("role postgres rejected");
  }

  @Test
  void refusesNonsenseNamingTheField() {
    assertThatThrownBy(() -> new ConnectionSettings(" ", 5432, "app", "app", null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("spec.database.host is required");
    assertThatThrownBy(() -> new ConnectionSettings(null, 5432, "app", "app", null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("spec.database.host is required");
    assertThatThrownBy(() -> new ConnectionSettings("db", 5432, null, "app", null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("spec.database.name is required");
    assertThatThrownBy(() -> new ConnectionSettings("db", 0, "app", "app", null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("spec.database.port must be between 1 and 65535, not 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"db/app?socketFactory=java.io.FileOutputStream&socketFactoryArg=/tmp/x#",
      "db?sslmode=disable", "db&x=y", "user@db", "db:5432", "db name", "-db", "db\n"})
  void aHostThatCouldAddDriverParametersIsRefused(String host) {
    assertThatThrownBy(() -> new ConnectionSettings(host, 5432, "app", "app", null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spec.database.host");
  }

  @ParameterizedTest
  @ValueSource(strings = {"db", "acme-db.acme.svc", "acme-db.acme.svc.cluster.local.",
      "10.0.0.7", "::1", "fe80::1%eth0", "DB_1.example.com"})
  void hostNamesAndAddressesAreAccepted(String host) {
    assertThat(new ConnectionSettings(host, 5432, "app", "app", null, null, null).host()).isEqualTo(host);
  }

  @Test
  void aDatabaseNameCannotAddDriverParameters() {
    ConnectionSettings settings = new ConnectionSettings("db", 5432, "app?socketFactory=x&sslmode=disable", "app", null,
        null, null);
    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/app%3FsocketFactory%3Dx%26sslmode%3Ddisable");
  }
}
