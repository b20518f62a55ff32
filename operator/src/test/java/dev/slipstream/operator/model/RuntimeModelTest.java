package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static dev.slipstream.operator.model.TenantFixtures.inputsFor;
import static dev.slipstream.operator.model.TenantFixtures.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReplicaRange;
import dev.slipstream.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RuntimeModelTest {

  @Test
  void readsTheExampleTenant() {
    RuntimeModel model = TenantFixtures.acmeModel();
    assertThat(model.tenantName()).isEqualTo("acme");
    assertThat(model.namespace()).isEqualTo("acme");
    assertThat(model.names()).isEqualTo(new RuntimeNames("acme"));
    assertThat(model.slotName()).isEqualTo("slipstream_acme");
    assertThat(model.publicationNames()).containsExactly("acme_orders");
    assertThat(model.hasPublications()).isTrue();
    assertThat(model.image()).isEqualTo(TenantFixtures.DEFAULT_IMAGE);
    assertThat(model.minReplicas()).isEqualTo(1);
    assertThat(model.maxReplicas()).isEqualTo(4);
  }

  @Test
  void namesOfTheRuntimeObjects() {
    RuntimeNames names = new RuntimeNames("acme");
    assertThat(names.runtime()).isEqualTo("acme-runtime");
    assertThat(names.relayService()).isEqualTo("acme-runtime-relay");
    assertThat(names.leaderLease()).isEqualTo("acme-runtime-leader");
  }

  @Test
  void theTenantsImageWinsOverTheDefault() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getRuntime().setImage("registry.example/runtime:custom");
    assertThat(RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).image())
        .isEqualTo("registry.example/runtime:custom");
  }

  @Test
  void publicationNamesAreSortedAndDistinct() {
    RealtimeTenant tenant = acmeExample();
    RuntimeModel model = RuntimeModel.fromTenant(tenant,
        inputsFor(tenant).publicationNames(List.of("b_pub", "a_pub", "b_pub")).build());
    assertThat(model.publicationNames()).containsExactly("a_pub", "b_pub");
  }

  @Test
  void withoutPublicationsTheRuntimeHasNothingToStream() {
    RealtimeTenant tenant = acmeExample();
    RuntimeModel model = RuntimeModel.fromTenant(tenant, inputsFor(tenant).publicationNames(List.of()).build());
    assertThat(model.hasPublications()).isFalse();
    assertThat(model.configData()).containsEntry("SLIPSTREAM_PUBLICATIONS", "");
  }

  @Test
  void appliesTheCrdDefaultsToATenantBuiltInCode() {
    RealtimeTenant tenant = minimal("shop", "orders");
    RuntimeModel model = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build());
    assertThat(model.minReplicas()).isEqualTo(1);
    assertThat(model.maxReplicas()).isEqualTo(10);
    assertThat(model.slotName()).isEqualTo("slipstream_shop_orders");
    assertThat(model.configData())
        .containsEntry("SLIPSTREAM_DB_PORT", "5432")
        .containsEntry("SLIPSTREAM_DB_SSLMODE", "prefer")
        .containsEntry("SLIPSTREAM_CLIENT_BUFFER_BYTES", "1048576")
        .containsEntry("SLIPSTREAM_MAX_PAYLOAD_BYTES", "1048576")
        .containsEntry("SLIPSTREAM_HEARTBEAT_INTERVAL", "30s")
        .containsEntry("SLIPSTREAM_MAX_CLIENTS", "50000")
        .containsEntry("SLIPSTREAM_MAX_EVENTS_PER_SECOND", "10000")
        .containsEntry("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", "100")
        .containsEntry("SLIPSTREAM_MAX_JOINS_PER_SECOND", "500");
    var container = model.generateDeployment().getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getResources()).isNull();
    assertThat(container.getEnv()).extracting("name").doesNotContain("SLIPSTREAM_JWT_SECRET");
    assertThat(container.getEnv().getFirst().getValueFrom().getSecretKeyRef().getKey()).isEqualTo("username");
    assertThat(container.getEnv().get(1).getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
  }

  @Test
  void aMinimumAboveTheDefaultMaximumRaisesTheMaximum() {
    RealtimeTenant tenant = minimal("shop", "orders");
    RuntimeSpec runtime = new RuntimeSpec();
    runtime.setReplicas(new ReplicaRange(20, null));
    tenant.getSpec().setRuntime(runtime);
    RuntimeModel model = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build());
    assertThat(model.minReplicas()).isEqualTo(20);
    assertThat(model.maxReplicas()).isEqualTo(20);
  }

  @Test
  void tenantNamesMustFitTheServiceNames() {
    assertThat(RuntimeModel.MAX_TENANT_NAME_LENGTH).isEqualTo(49);
    assertValid(minimal("acme", "a".repeat(49)));
    assertInvalid(minimal("acme", "a".repeat(50)), "metadata.name");
    assertInvalid(minimal("acme", "acme.prod"), "metadata.name");
    assertInvalid(minimal("acme", "1acme"), "metadata.name");
    assertInvalid(minimal("acme", "acme-"), "metadata.name");
    assertInvalid(minimal("acme", null), "metadata.name");
    assertInvalid(minimal(null, "acme"), "metadata.namespace");
  }

  @Test
  void reportsTheFieldThatIsMissingOrWrong() {
    assertInvalid(tenant -> tenant.setSpec(null), "spec is required");
    assertInvalid(tenant -> tenant.getSpec().setDatabase(null), "spec.database is required");
    assertInvalid(tenant -> tenant.getSpec().getDatabase().setHost(" "), "spec.database.host");
    assertInvalid(tenant -> tenant.getSpec().getDatabase().setName(null), "spec.database.name");
    assertInvalid(tenant -> tenant.getSpec().getDatabase().setPort(70000), "spec.database.port");
    assertInvalid(tenant -> tenant.getSpec().getDatabase().setCredentialsSecretRef(null),
        "spec.database.credentialsSecretRef");
    assertInvalid(tenant -> tenant.getSpec().getDatabase().getCredentialsSecretRef().setName(""),
        "spec.database.credentialsSecretRef.name");
    assertInvalid(tenant -> tenant.getSpec().getRuntime().setReplicas(new ReplicaRange(5, 2)), "spec.runtime.replicas");
    assertInvalid(tenant -> tenant.getSpec().getLimits().setMaxPayloadBytes(new Quantity("-1Mi")),
        "spec.limits.maxPayloadBytes");
    assertInvalid(tenant -> tenant.getSpec().getLimits().setMaxPayloadBytes(new Quantity("2Gi")),
        "spec.limits.maxPayloadBytes");
    assertInvalid(tenant -> tenant.getSpec().getLimits().setClientBufferBytes(new Quantity("lots")),
        "spec.limits.clientBufferBytes");
    assertInvalid(tenant -> tenant.getSpec().getLimits().setMaxClients(0), "spec.limits.maxClients");
  }

  @Test
  void reportsResolvedInputsThatCannotWork() {
    RealtimeTenant tenant = acmeExample();
    assertInvalid(tenant, inputsFor(tenant).slotName("Not-A-Slot").build(), "replication slot name 'Not-A-Slot'");
    assertInvalid(tenant, inputsFor(tenant).slotName(null).build(), "replication slot name");
    assertInvalid(tenant, inputsFor(tenant).publicationNames(List.of("ok", "a,b")).build(), "publication name 'a,b'");
    assertInvalid(tenant, inputsFor(tenant).defaultImage(null).build(), "spec.runtime.image");
    assertThatThrownBy(() -> RuntimeModel.fromTenant(tenant, inputsFor(tenant).credentialsChecksum(null).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentials checksum");
    assertThatThrownBy(() -> RuntimeModel.fromTenant(tenant,
        inputsFor(tenant).jwtSecret(tenant.getSpec().getAuth().getJwtSecretRef(), null).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JWT");
    assertThatThrownBy(() -> RuntimeModel.fromTenant(tenant, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void generatedObjectsShareNothingWithTheTenantOrEachOther() {
    RealtimeTenant tenant = acmeExample();
    RuntimeModel model = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build());
    String before = Serialization.asYaml(model.generateDeployment());
    tenant.getSpec().getRuntime().getResources().getLimits().put("memory", new Quantity("9Gi"));
    tenant.getSpec().getLimits().setMaxClients(1);
    model.generateDeployment().getMetadata().getLabels().put("changed", "yes");
    model.generateDeployment().getSpec().getTemplate().getSpec().getContainers().getFirst()
        .getResources().getLimits().put("cpu", new Quantity("8"));
    assertThat(Serialization.asYaml(model.generateDeployment())).isEqualTo(before);
  }

  private static void assertInvalid(Consumer<RealtimeTenant> change, String message) {
    RealtimeTenant tenant = acmeExample();
    var inputs = inputsFor(tenant).build();
    change.accept(tenant);
    assertInvalid(tenant, inputs, message);
  }

  /** For tenants whose names cannot even derive a slot: inputs that are valid on their own. */
  private static void assertInvalid(RealtimeTenant tenant, String message) {
    assertInvalid(tenant, ResolvedInputs.builder().slotName("slot").defaultImage(TenantFixtures.DEFAULT_IMAGE)
        .credentialsChecksum("0".repeat(64)).build(), message);
  }

  private static void assertInvalid(RealtimeTenant tenant, ResolvedInputs inputs, String message) {
    assertThatThrownBy(() -> RuntimeModel.fromTenant(tenant, inputs))
        .isInstanceOf(InvalidTenantException.class).hasMessageContaining(message);
  }

  private static void assertValid(RealtimeTenant tenant) {
    assertThat(RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).tenantName())
        .isEqualTo(tenant.getMetadata().getName());
  }
}
