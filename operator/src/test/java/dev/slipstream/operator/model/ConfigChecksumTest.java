package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.JWT_SECRET;
import static dev.slipstream.operator.model.TenantFixtures.PASSWORD;
import static dev.slipstream.operator.model.TenantFixtures.USERNAME;
import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static dev.slipstream.operator.model.TenantFixtures.credentials;
import static dev.slipstream.operator.model.TenantFixtures.inputsFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReplicaRange;
import dev.slipstream.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The pods roll when and only when what the runtime reads at start changes. */
class ConfigChecksumTest {

  private static final String BASELINE = checksum(tenant -> { }, inputs -> { });

  @Test
  void isTheDeploymentsPodAnnotation() {
    RuntimeModel model = TenantFixtures.acmeModel();
    assertThat(model.generateDeployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("realtime.slipstream.dev/config-checksum", BASELINE);
    assertThat(model.configChecksum()).isEqualTo(BASELINE);
  }

  @Test
  void changesWhenTheCredentialsChange() {
    assertChanges(tenant -> { }, inputs -> inputs.credentialsChecksum(
        SecretChecksum.of(credentials(USERNAME, PASSWORD + "-rotated"), "username", "password")));
    assertChanges(tenant -> { }, inputs -> inputs.credentialsChecksum(
        SecretChecksum.of(credentials("someone-else", PASSWORD), "username", "password")));
  }

  @Test
  void changesWhenTheJwtSecretChanges() {
    RealtimeTenant example = acmeExample();
    var ref = example.getSpec().getAuth().getJwtSecretRef();
    assertChanges(tenant -> { }, inputs -> inputs.jwtSecret(ref,
        SecretChecksum.of(TenantFixtures.secret("acme-jwt", Map.of("secret", JWT_SECRET + "-rotated")), "secret")));
    assertChanges(tenant -> tenant.getSpec().setAuth(null), inputs -> inputs.jwtSecret(null, null));
  }

  /** A relay key made again (its Secret was deleted) rolls every pod onto it at once. */
  @Test
  void changesWhenTheRelayKeyIsMadeAgain() {
    assertChanges(tenant -> { }, inputs -> inputs.relayKeyChecksum(
        RelayKeySecret.checksum(RelayKeySecret.build(acmeExample(), "a-new-key-made-after-a-deletion"))));
  }

  @Test
  void changesWhenAPreviousJwtSecretIsAddedOrChanged() {
    SecretKeyRef previous = new SecretKeyRef();
    previous.setName("acme-jwt-old");
    assertChanges(tenant -> tenant.getSpec().getAuth().setPreviousJwtSecretRef(previous), inputs ->
        inputs.previousJwtSecret(previous, SecretChecksum.of(TenantFixtures.secret("acme-jwt-old",
            Map.of("secret", JWT_SECRET + "-old")), "secret")));
  }

  @Test
  void changesWhenTheConfigChanges() {
    assertChanges(tenant -> tenant.getSpec().getDatabase().setHost("other-db.acme.svc"), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getDatabase().setPort(6432), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getDatabase().setSslMode(dev.slipstream.api.v1alpha1.SslMode.REQUIRE),
        inputs -> { });
    assertChanges(tenant -> { }, inputs -> inputs.slotName("slipstream_other"));
    assertChanges(tenant -> { }, inputs -> inputs.publicationNames(List.of("acme_orders", "acme_users")));
    assertChanges(tenant -> tenant.getSpec().getLimits().setClientBufferBytes(new Quantity("2Mi")), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getLimits().setMaxClients(10), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getLimits().setIdleTimeout("90s"), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getLimits().setMaxBindingsPerChannel(50), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getLimits().setMaxPresencePayloadBytes(new Quantity("4Ki")), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getReplication().setHeartbeatInterval("10s"), inputs -> { });
    assertChanges(tenant -> tenant.getSpec().getAuth().setChannelRules(
        List.of(new dev.slipstream.api.v1alpha1.ChannelRule("org:", "app_metadata.org_id"))), inputs -> { });
  }

  @Test
  void staysTheSameForWhatDoesNotReachTheRuntimesEnvironment() {
    assertSame(tenant -> { }, inputs -> inputs.publicationNames(List.of("acme_orders", "acme_orders")));
    assertSame(tenant -> tenant.getSpec().getRuntime().setReplicas(new ReplicaRange(2, 8)), inputs -> { });
    assertSame(tenant -> tenant.getSpec().getRuntime().setImage("registry.example/runtime:2"), inputs -> { });
    // The slot's failover flag is the operator's business in the database; the runtime streams either way.
    assertSame(tenant -> tenant.getSpec().getReplication().setFailover(true), inputs -> { });
    assertSame(tenant -> tenant.getSpec().getRuntime().setResources(
        new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("2Gi")).build()), inputs -> { });
    assertSame(tenant -> tenant.getSpec().getLimits().setMaxPayloadBytes(new Quantity("1024Ki")), inputs -> { });
    assertSame(tenant -> tenant.getSpec().getLimits().setMaxPresencePayloadBytes(new Quantity("10240")), inputs -> { });
    assertSame(tenant -> tenant.getMetadata().setLabels(Map.of("team", "payments")), inputs -> { });
    assertSame(tenant -> tenant.getMetadata().setGeneration(42L), inputs -> { });
    // No channel rules, written or not: the variable is left out, so an operator upgrade rolls no tenant's pods.
    assertSame(tenant -> tenant.getSpec().getAuth().setChannelRules(List.of()), inputs -> { });
    assertSame(tenant -> { }, inputs -> inputs.credentialsChecksum(
        SecretChecksum.of(credentials(USERNAME, PASSWORD), "username", "password")));
  }

  @Test
  void orderOfPublicationsDoesNotMatter() {
    assertThat(checksum(tenant -> { }, inputs -> inputs.publicationNames(List.of("b", "a"))))
        .isEqualTo(checksum(tenant -> { }, inputs -> inputs.publicationNames(List.of("a", "b"))));
  }

  @Test
  void keysAndValuesAreKeptApart() {
    assertThat(ConfigChecksum.of(Map.of("ab", "c"), "x", null)).isNotEqualTo(ConfigChecksum.of(Map.of("a", "bc"), "x", null));
    assertThat(ConfigChecksum.of(Map.of(), "x", null)).isNotEqualTo(ConfigChecksum.of(Map.of(), "x", ""));
  }

  private static void assertChanges(Consumer<RealtimeTenant> tenantChange, Consumer<ResolvedInputs.Builder> inputsChange) {
    assertThat(checksum(tenantChange, inputsChange)).isNotEqualTo(BASELINE);
  }

  private static void assertSame(Consumer<RealtimeTenant> tenantChange, Consumer<ResolvedInputs.Builder> inputsChange) {
    assertThat(checksum(tenantChange, inputsChange)).isEqualTo(BASELINE);
  }

  private static String checksum(Consumer<RealtimeTenant> tenantChange, Consumer<ResolvedInputs.Builder> inputsChange) {
    RealtimeTenant tenant = acmeExample();
    ResolvedInputs.Builder inputs = inputsFor(tenant);
    tenantChange.accept(tenant);
    inputsChange.accept(inputs);
    return RuntimeModel.fromTenant(tenant, inputs.build()).configChecksum();
  }
}
