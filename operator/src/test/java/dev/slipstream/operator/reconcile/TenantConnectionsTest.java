package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.CaSecretRef;
import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import dev.slipstream.api.v1alpha1.DatabaseSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.api.v1alpha1.SslMode;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.testing.tls.TestCertificates;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** {@code spec.database.caSecretRef}: read with the credentials, checked to hold PEM certificates. */
class TenantConnectionsTest {

  private static final String CA_PEM = TestCertificates.authority("acme db CA").certificatePem();

  private final Map<String, Secret> secrets = new HashMap<>(Map.of(
      "acme-db", secret("acme-db", Map.of("username", "app", "password", "s3cret"))));
  private final BiFunction<String, String, Secret> lookup = (name, field) -> {
    Secret secret = secrets.get(name);
    if (secret == null) {
      throw new MissingInputException(MissingInputException.SECRET_NOT_FOUND, "Secret acme/" + name + " (" + field
          + ") does not exist");
    }
    return secret;
  };

  @Test
  void withoutACaSecretTheSettingsHaveNoCa() {
    ConnectionSettings settings = TenantConnections.resolve(tenant(null), lookup);
    assertThat(settings.caCertificates()).isNull();
    assertThat(settings.sslMode()).isEqualTo("verify-full");
  }

  @Test
  void theCaComesFromItsSecretUnderCaCrtByDefault() {
    secrets.put("acme-db-ca", secret("acme-db-ca", Map.of("ca.crt", CA_PEM)));
    ConnectionSettings settings = TenantConnections.resolve(tenant(ca("acme-db-ca", null)), lookup);
    assertThat(settings.caCertificates()).isEqualTo(CA_PEM);
    assertThat(settings.toString()).contains("own CA").doesNotContain("BEGIN CERTIFICATE");
  }

  @Test
  void aMissingCaSecretIsSecretNotFoundNamingTheField() {
    assertThatThrownBy(() -> TenantConnections.resolve(tenant(ca("acme-db-ca", null)), lookup))
        .isInstanceOfSatisfying(MissingInputException.class,
            e -> assertThat(e.reason()).isEqualTo(MissingInputException.SECRET_NOT_FOUND))
        .hasMessage("Secret acme/acme-db-ca (spec.database.caSecretRef) does not exist");
  }

  @Test
  void aMissingKeyIsSecretKeyMissing() {
    secrets.put("acme-db-ca", secret("acme-db-ca", Map.of("ca.crt", CA_PEM)));
    assertThatThrownBy(() -> TenantConnections.resolve(tenant(ca("acme-db-ca", "root.pem")), lookup))
        .isInstanceOfSatisfying(MissingInputException.class,
            e -> assertThat(e.reason()).isEqualTo(MissingInputException.SECRET_KEY_MISSING))
        .hasMessage("Secret acme/acme-db-ca (spec.database.caSecretRef) has no 'root.pem' key");
  }

  @Test
  void aValueThatIsNoCertificateIsCaCertificateInvalid() {
    secrets.put("acme-db-ca", secret("acme-db-ca", Map.of("ca.crt", "not a certificate")));
    assertThatThrownBy(() -> TenantConnections.resolve(tenant(ca("acme-db-ca", null)), lookup))
        .isInstanceOfSatisfying(MissingInputException.class,
            e -> assertThat(e.reason()).isEqualTo(MissingInputException.CA_CERTIFICATE_INVALID))
        .hasMessage("key 'ca.crt' of Secret acme/acme-db-ca (spec.database.caSecretRef) holds no PEM certificate (no "
            + "-----BEGIN CERTIFICATE----- line); put the PEM certificate of the CA that signed the database server's "
            + "certificate there");

    secrets.put("acme-db-ca", secret("acme-db-ca", Map.of("ca.crt",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")));
    assertThatThrownBy(() -> TenantConnections.resolve(tenant(ca("acme-db-ca", null)), lookup))
        .isInstanceOfSatisfying(MissingInputException.class,
            e -> assertThat(e.reason()).isEqualTo(MissingInputException.CA_CERTIFICATE_INVALID))
        .hasMessageContaining("holds a PEM block that is not a valid X.509 certificate");
  }

  private static CaSecretRef ca(String name, String key) {
    CaSecretRef ref = new CaSecretRef();
    ref.setName(name);
    ref.setKey(key);
    return ref;
  }

  private static RealtimeTenant tenant(CaSecretRef ca) {
    CredentialsSecretRef credentials = new CredentialsSecretRef();
    credentials.setName("acme-db");
    DatabaseSpec database = new DatabaseSpec();
    database.setHost("db.acme.svc");
    database.setName("app");
    database.setSslMode(SslMode.VERIFY_FULL);
    database.setCredentialsSecretRef(credentials);
    database.setCaSecretRef(ca);
    RealtimeTenantSpec spec = new RealtimeTenantSpec();
    spec.setDatabase(database);
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withNamespace("acme").withName("acme").build());
    tenant.setSpec(spec);
    return tenant;
  }

  private static Secret secret(String name, Map<String, String> values) {
    SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(name).endMetadata();
    values.forEach((key, value) ->
        secret.addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
    return secret.build();
  }
}
