package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import dev.slipstream.api.v1alpha1.DatabaseSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.testing.RepositoryLayout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Tenants, Secrets and resolved inputs the model tests build on. */
final class TenantFixtures {

  static final String USERNAME = "slipstream-login-user";
  static final String PASSWORD = "pA55w0rd-that-must-never-leak";
  static final String JWT_SECRET = "jwt-secret-of-at-least-32-characters-for-hs256";
  /** The relay key the operator would have made for the tenant (a fixed one here). */
  static final String RELAY_KEY = "bGVha3ktcmVsYXkta2V5LW9mLTMyLWJ5dGVzLTAxMjM=";
  static final String DEFAULT_IMAGE = "ghcr.io/slipstream/realtime-runtime:0.1.0";
  static final List<String> PUBLICATIONS = List.of("acme_orders");

  /** The pods' selector: the two labels that never change. */
  static final Map<String, String> SELECTOR = Map.of(
      "app.kubernetes.io/name", "slipstream-runtime", "app.kubernetes.io/instance", "acme");

  private TenantFixtures() {
  }

  /** examples/acme-tenant.yaml as a user applies it, in namespace {@code acme}. */
  static RealtimeTenant acmeExample() {
    try (InputStream in = Files.newInputStream(RepositoryLayout.examples().resolve("acme-tenant.yaml"))) {
      RealtimeTenant tenant = Serialization.unmarshal(in, RealtimeTenant.class);
      tenant.getMetadata().setNamespace("acme");
      return tenant;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tenant with only the required fields, as one built in code without the API server's defaults. */
  static RealtimeTenant minimal(String namespace, String name) {
    CredentialsSecretRef credentials = new CredentialsSecretRef();
    credentials.setName(name + "-db");
    DatabaseSpec database = new DatabaseSpec();
    database.setHost("db." + namespace + ".svc");
    database.setName("app");
    database.setCredentialsSecretRef(credentials);
    RealtimeTenantSpec spec = new RealtimeTenantSpec();
    spec.setDatabase(database);
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    tenant.setSpec(spec);
    return tenant;
  }

  /** A Secret as the API server returns it: base64 {@code data} only. */
  static Secret secret(String name, Map<String, String> plainValues) {
    SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(name).endMetadata();
    plainValues.forEach((key, value) ->
        secret.addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
    return secret.build();
  }

  static Secret credentials(String username, String password) {
    return secret("acme-db", Map.of("username", username, "password", password));
  }

  /** Inputs as the reconciler resolves them for the tenant, with the fixture Secrets. */
  static ResolvedInputs.Builder inputsFor(RealtimeTenant tenant) {
    ResolvedInputs.Builder inputs = ResolvedInputs.builder()
        .slotName(SlotNames.forTenant(tenant))
        .publicationNames(PUBLICATIONS)
        .defaultImage(DEFAULT_IMAGE)
        .credentialsChecksum(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD),
            tenant.getSpec().getDatabase().getCredentialsSecretRef()))
        .relayKeyChecksum(RelayKeySecret.checksum(RelayKeySecret.build(tenant, RELAY_KEY)));
    if (tenant.getSpec().getAuth() != null) {
      var jwt = tenant.getSpec().getAuth().getJwtSecretRef();
      inputs.jwtSecret(jwt, SecretChecksum.of(secret(jwt.getName(), Map.of(jwt.getKey(), JWT_SECRET)), jwt.getKey()));
    }
    return inputs;
  }

  static RuntimeModel acmeModel() {
    RealtimeTenant tenant = acmeExample();
    return RuntimeModel.fromTenant(tenant, inputsFor(tenant).build());
  }

  /** Name, namespace and exactly the four runtime labels; owner references are the dependents' job. */
  static void assertRuntimeMetadata(HasMetadata object, String name) {
    assertThat(object.getMetadata().getName()).isEqualTo(name);
    assertThat(object.getMetadata().getNamespace()).isEqualTo("acme");
    assertThat(object.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "app.kubernetes.io/name", "slipstream-runtime",
        "app.kubernetes.io/instance", "acme",
        "app.kubernetes.io/managed-by", "slipstream-operator",
        "realtime.slipstream.dev/tenant", "acme"));
    assertThat(object.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  /** Every object the model builds for one tenant. */
  static List<HasMetadata> allObjects(RuntimeModel model) {
    return List.of(model.generateConfigMap(), model.generateDeployment(), model.generateService(),
        model.generateRelayService(), model.generateServiceAccount(), model.generateRole(),
        model.generateRoleBinding(), model.generatePodDisruptionBudget());
  }
}
