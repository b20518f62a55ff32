package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static dev.slipstream.operator.model.TenantFixtures.inputsFor;
import static dev.slipstream.operator.model.TenantFixtures.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.LimitsSpec;
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
        .containsEntry("SLIPSTREAM_MAX_CLIENTS", "50000")
        .containsEntry("SLIPSTREAM_MAX_EVENTS_PER_SECOND", "10000")
        .containsEntry("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", "100")
        .containsEntry("SLIPSTREAM_MAX_JOINS_PER_SECOND", "500")
        .containsEntry("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT", "100")
        .containsEntry("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT", "10")
        .containsEntry("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", "1048576")
        .containsEntry("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", "100")
        .containsEntry("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", "500")
        .containsEntry("SLIPSTREAM_MAX_FILTER_LENGTH", "4096")
        .containsEntry("SLIPSTREAM_MAX_FILTER_VALUES", "100")
        .containsEntry("SLIPSTREAM_MAX_TOPIC_LENGTH", "256")
        .containsEntry("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", "10240")
        .containsEntry("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT", "10")
        .containsEntry("SLIPSTREAM_HANDSHAKE_TIMEOUT", "10s")
        .containsEntry("SLIPSTREAM_JOIN_TIMEOUT", "30s")
        .containsEntry("SLIPSTREAM_IDLE_TIMEOUT", "60s");
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

  /** What an API server without the CRD's schema rules (or a tenant built in code) could hand the operator. */
  @Test
  void reportsTheLimitThatIsWrong() {
    assertInvalidLimits(limits -> limits.setMaxEventsPerSecondPerClient(0), "spec.limits.maxEventsPerSecondPerClient");
    assertInvalidLimits(limits -> limits.setMaxJoinsPerSecondPerClient(-1), "spec.limits.maxJoinsPerSecondPerClient");
    assertInvalidLimits(limits -> limits.setMaxBindingsPerChannel(0), "spec.limits.maxBindingsPerChannel");
    assertInvalidLimits(limits -> limits.setMaxBindingsPerClient(0), "spec.limits.maxBindingsPerClient");
    assertInvalidLimits(limits -> limits.setMaxFilterLength(0), "spec.limits.maxFilterLength");
    assertInvalidLimits(limits -> limits.setMaxFilterValues(0), "spec.limits.maxFilterValues");
    assertInvalidLimits(limits -> limits.setMaxTopicLength(0), "spec.limits.maxTopicLength");
    assertInvalidLimits(limits -> limits.setMaxPresencesPerClient(0), "spec.limits.maxPresencesPerClient");

    assertInvalidLimits(limits -> limits.setClientInboundBytesPerSecond(new Quantity("0")),
        "spec.limits.clientInboundBytesPerSecond must be a positive quantity of bytes");
    assertInvalidLimits(limits -> limits.setClientInboundBytesPerSecond(new Quantity("fast")),
        "spec.limits.clientInboundBytesPerSecond is not a quantity of bytes");
    assertInvalidLimits(limits -> limits.setClientInboundBytesPerSecond(new Quantity("2Gi")),
        "spec.limits.clientInboundBytesPerSecond must be at most 2147483647 bytes (2Gi - 1), was 2147483648");
    assertInvalidLimits(limits -> limits.setMaxPresencePayloadBytes(new Quantity("-10Ki")),
        "spec.limits.maxPresencePayloadBytes must be a positive quantity of bytes");
    assertInvalidLimits(limits -> limits.setMaxPresencePayloadBytes(new Quantity("2147483648")),
        "spec.limits.maxPresencePayloadBytes must be at most 2147483647 bytes (2Gi - 1), was 2147483648");

    assertInvalidLimits(limits -> limits.setHandshakeTimeout("10"), "spec.limits.handshakeTimeout must be a duration");
    assertInvalidLimits(limits -> limits.setJoinTimeout("30 s"), "spec.limits.joinTimeout must be a duration");
    assertInvalidLimits(limits -> limits.setIdleTimeout("PT60S"), "spec.limits.idleTimeout must be a duration");
    assertInvalidLimits(limits -> limits.setIdleTimeout(""), "spec.limits.idleTimeout must be a duration");
    assertInvalidLimits(limits -> limits.setIdleTimeout("0s"), "spec.limits.idleTimeout must be longer than zero");
    // Past the CRD's rules, but zero to the runtime, which counts whole milliseconds.
    assertInvalidLimits(limits -> limits.setJoinTimeout("0.1ms"), "spec.limits.joinTimeout must be at least 1ms, was '0.1ms'");

    assertInvalidLimits(limits -> {
      limits.setMaxBindingsPerChannel(501);
      limits.setMaxBindingsPerClient(null);  // the default, 500
    }, "spec.limits.maxBindingsPerChannel must not exceed spec.limits.maxBindingsPerClient, was 501 > 500");
  }

  @Test
  void acceptsLimitsAtTheirEdges() {
    RealtimeTenant tenant = acmeExample();
    LimitsSpec limits = tenant.getSpec().getLimits();
    limits.setMaxBindingsPerChannel(7);
    limits.setMaxBindingsPerClient(7);
    limits.setHandshakeTimeout("500ms");
    limits.setJoinTimeout("1.5s");
    limits.setIdleTimeout("1h2m3s");
    assertThat(RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).configData())
        .containsEntry("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", "7")
        .containsEntry("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", "7")
        .containsEntry("SLIPSTREAM_HANDSHAKE_TIMEOUT", "500ms")
        .containsEntry("SLIPSTREAM_JOIN_TIMEOUT", "1.5s")
        .containsEntry("SLIPSTREAM_IDLE_TIMEOUT", "1h2m3s");
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

  /** On a tenant without {@code spec.limits} (nothing defaulted), with only the limits {@code change} sets. */
  private static void assertInvalidLimits(Consumer<LimitsSpec> change, String message) {
    RealtimeTenant tenant = minimal("shop", "orders");
    LimitsSpec limits = new LimitsSpec();
    change.accept(limits);
    tenant.getSpec().setLimits(limits);
    assertInvalid(tenant, inputsFor(tenant).build(), message);
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
