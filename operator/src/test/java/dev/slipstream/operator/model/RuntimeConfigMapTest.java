package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static dev.slipstream.operator.model.TenantFixtures.inputsFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.ChannelRule;
import dev.slipstream.api.v1alpha1.LimitsSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.runtime.config.Kind;
import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.runtime.config.Setting;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeConfigMapTest {

  @Test
  void holdsTheRuntimesNonSecretEnvironment() {
    ConfigMap configMap = TenantFixtures.acmeModel().generateConfigMap();
    TenantFixtures.assertRuntimeMetadata(configMap, "acme-runtime");
    assertThat(configMap.getData()).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.ofEntries(
        Map.entry("SLIPSTREAM_DB_HOST", "acme-db.acme.svc"),
        Map.entry("SLIPSTREAM_DB_PORT", "5432"),
        Map.entry("SLIPSTREAM_DB_NAME", "app"),
        Map.entry("SLIPSTREAM_DB_SSLMODE", "prefer"),
        Map.entry("SLIPSTREAM_HEARTBEAT_INTERVAL", "30s"),
        Map.entry("SLIPSTREAM_SLOT", "slipstream_acme"),
        Map.entry("SLIPSTREAM_PUBLICATIONS", "acme_orders"),
        Map.entry("SLIPSTREAM_ACCESS_RULES", ""),
        Map.entry("SLIPSTREAM_PORT", "4000"),
        Map.entry("SLIPSTREAM_TENANT", "acme"),
        Map.entry("SLIPSTREAM_LEADER_LEASE", "acme-runtime-leader"),
        Map.entry("SLIPSTREAM_RELAY_PORT", "4001"),
        Map.entry("SLIPSTREAM_CLIENT_BUFFER_BYTES", "1048576"),
        Map.entry("SLIPSTREAM_MAX_PAYLOAD_BYTES", "1048576"),
        Map.entry("SLIPSTREAM_MAX_CLIENTS", "50000"),
        Map.entry("SLIPSTREAM_MAX_EVENTS_PER_SECOND", "10000"),
        Map.entry("SLIPSTREAM_MAX_CHANNELS_PER_CLIENT", "100"),
        Map.entry("SLIPSTREAM_MAX_JOINS_PER_SECOND", "500"),
        Map.entry("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT", "100"),
        Map.entry("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT", "10"),
        Map.entry("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", "1048576"),
        Map.entry("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", "100"),
        Map.entry("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", "500"),
        Map.entry("SLIPSTREAM_MAX_FILTER_LENGTH", "4096"),
        Map.entry("SLIPSTREAM_MAX_FILTER_VALUES", "100"),
        Map.entry("SLIPSTREAM_MAX_TOPIC_LENGTH", "256"),
        Map.entry("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", "10240"),
        Map.entry("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT", "10"),
        Map.entry("SLIPSTREAM_HANDSHAKE_TIMEOUT", "10s"),
        Map.entry("SLIPSTREAM_JOIN_TIMEOUT", "30s"),
        Map.entry("SLIPSTREAM_IDLE_TIMEOUT", "60s"))));
    assertThat(configMap.getBinaryData()).isNullOrEmpty();
    assertThat(configMap.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void joinsPublicationsWithCommasInNameOrder() {
    RealtimeTenant tenant = acmeExample();
    var model = RuntimeModel.fromTenant(tenant,
        inputsFor(tenant).publicationNames(List.of("zeta", "acme_orders", "beta")).build());
    assertThat(model.generateConfigMap().getData()).containsEntry("SLIPSTREAM_PUBLICATIONS", "acme_orders,beta,zeta");
  }

  @Test
  void listsAccessRulesSortedWithoutRepeats() {
    RealtimeTenant tenant = acmeExample();
    var model = RuntimeModel.fromTenant(tenant, inputsFor(tenant)
        .accessRules(List.of("public.orders:customer_id=sub", "notes:owner=app_metadata.team", "public.orders:customer_id=sub"))
        .build());
    assertThat(model.generateConfigMap().getData())
        .containsEntry("SLIPSTREAM_ACCESS_RULES", "notes:owner=app_metadata.team,public.orders:customer_id=sub");
  }

  @Test
  void spellsTheSslModeAsLibpqDoes() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getDatabase().setSslMode(dev.slipstream.api.v1alpha1.SslMode.VERIFY_FULL);
    tenant.getSpec().getDatabase().setPort(6432);
    var data = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateConfigMap().getData();
    assertThat(data).containsEntry("SLIPSTREAM_DB_SSLMODE", "verify-full").containsEntry("SLIPSTREAM_DB_PORT", "6432");
  }

  @ParameterizedTest
  @CsvSource({
      "1Mi, 1048576",
      "512Ki, 524288",
      "1M, 1000000",
      "1.5Ki, 1536",
      "2048, 2048",
      "1500m, 2",      // 1.5 bytes: rounded up, never down to nothing
      "1Gi, 1073741824",
  })
  void writesLimitsAsPlainByteCounts(String quantity, String bytes) {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getLimits().setClientBufferBytes(new Quantity(quantity));
    tenant.getSpec().getLimits().setMaxPayloadBytes(new Quantity(quantity));
    var data = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateConfigMap().getData();
    assertThat(data).containsEntry("SLIPSTREAM_CLIENT_BUFFER_BYTES", bytes).containsEntry("SLIPSTREAM_MAX_PAYLOAD_BYTES", bytes);
  }

  @Test
  void writesEveryLimitTheTenantSets() {
    RealtimeTenant tenant = acmeExample();
    LimitsSpec limits = tenant.getSpec().getLimits();
    limits.setMaxEventsPerSecondPerClient(25);
    limits.setMaxJoinsPerSecondPerClient(3);
    limits.setClientInboundBytesPerSecond(new Quantity("256Ki"));
    limits.setMaxBindingsPerChannel(20);
    limits.setMaxBindingsPerClient(40);
    limits.setMaxFilterLength(512);
    limits.setMaxFilterValues(50);
    limits.setMaxTopicLength(128);
    limits.setMaxPresencePayloadBytes(new Quantity("2Ki"));
    limits.setMaxPresencesPerClient(4);
    limits.setHandshakeTimeout("5s");
    limits.setJoinTimeout("1m30s");
    limits.setIdleTimeout("2m");
    var data = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateConfigMap().getData();
    assertThat(data)
        .containsEntry("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT", "25")
        .containsEntry("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT", "3")
        .containsEntry("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", "262144")
        .containsEntry("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", "20")
        .containsEntry("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", "40")
        .containsEntry("SLIPSTREAM_MAX_FILTER_LENGTH", "512")
        .containsEntry("SLIPSTREAM_MAX_FILTER_VALUES", "50")
        .containsEntry("SLIPSTREAM_MAX_TOPIC_LENGTH", "128")
        .containsEntry("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", "2048")
        .containsEntry("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT", "4")
        .containsEntry("SLIPSTREAM_HANDSHAKE_TIMEOUT", "5s")
        .containsEntry("SLIPSTREAM_JOIN_TIMEOUT", "1m30s")
        .containsEntry("SLIPSTREAM_IDLE_TIMEOUT", "2m");
  }

  @ParameterizedTest
  @CsvSource({
      "10Ki, 10240",
      "1.5Ki, 1536",
      "1500m, 2",
      "2147483647, 2147483647",   // the largest an int holds
  })
  void writesTheIntSizedLimitsAsPlainByteCounts(String quantity, String bytes) {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getLimits().setMaxPresencePayloadBytes(new Quantity(quantity));
    tenant.getSpec().getLimits().setClientInboundBytesPerSecond(new Quantity(quantity));
    var data = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateConfigMap().getData();
    assertThat(data).containsEntry("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", bytes)
        .containsEntry("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", bytes);
  }

  @Test
  void clientBufferMayExceedTwoGibibytes() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getLimits().setClientBufferBytes(new Quantity("4Gi"));
    var data = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateConfigMap().getData();
    assertThat(data).containsEntry("SLIPSTREAM_CLIENT_BUFFER_BYTES", "4294967296");
  }

  /**
   * The contract from the operator's side, (1): every variable the operator gives the runtime, in the ConfigMap or
   * on the container, is one the runtime reads ({@code MainTest} checks that the runtime reads exactly
   * {@link RuntimeConfig#ALL}), in a form it parses; secrets only by reference.
   */
  @Test
  void setsOnlyVariablesTheRuntimeReads() {
    RuntimeModel model = fullTenant();
    Map<String, String> data = model.generateConfigMap().getData();
    Container container = model.generateDeployment().getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getEnvFrom()).as("the ConfigMap is the only source of variables besides env")
        .singleElement().satisfies(source -> assertThat(source.getConfigMapRef().getName()).isEqualTo("acme-runtime"));

    assertThat(setVariables(model)).as("variables the runtime does not read").isSubsetOf(RuntimeConfig.names());
    data.forEach((name, value) -> {
      Setting<?> setting = RuntimeConfig.byName(name).orElseThrow();
      assertThat(setting.kind()).as(name + " is a secret: never in the ConfigMap").isNotEqualTo(Kind.SECRET);
      if (!value.isBlank()) {
        setting.parse(value);
      }
    });
    for (EnvVar env : container.getEnv()) {
      Setting<?> setting = RuntimeConfig.byName(env.getName()).orElseThrow();
      if (env.getValue() != null) {
        setting.parse(env.getValue());
      }
      if (setting.kind() == Kind.SECRET) {
        assertThat(env.getValue()).as(env.getName()).isNull();
        assertThat(env.getValueFrom().getSecretKeyRef()).as(env.getName()).isNotNull();
      }
    }
  }

  /**
   * The contract from the operator's side, (2): every variable the runtime requires ({@code MainTest} checks that
   * these are exactly the required ones) is set, with a value, for a tenant with everything and one with the least.
   */
  @Test
  void setsEveryVariableTheRuntimeRequires() {
    RealtimeTenant least = TenantFixtures.minimal("shop", "orders");
    for (RuntimeModel model : List.of(fullTenant(), RuntimeModel.fromTenant(least, inputsFor(least).build()))) {
      assertThat(setVariables(model)).as("variables the runtime requires").containsAll(RuntimeConfig.requiredNames());
      model.generateConfigMap().getData().forEach((name, value) -> {
        if (RuntimeConfig.requiredNames().contains(name)) {
          assertThat(value).as(name).isNotBlank();
        }
      });
    }
  }

  /** What an unset spec.limits field means to the operator (the CRD's default) is what the runtime assumes. */
  @Test
  void theCrdsLimitDefaultsAreTheRuntimes() {
    int checked = 0;
    for (Field field : LimitsSpec.class.getDeclaredFields()) {
      Default crdDefault = field.getAnnotation(Default.class);
      if (crdDefault == null) {
        continue;
      }
      String variable = "SLIPSTREAM_" + field.getName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
      assertDefault(RuntimeConfig.byName(variable).orElseThrow(() -> new AssertionError(variable)), crdDefault.value());
      checked++;
    }
    assertThat(checked).isEqualTo(19);
  }

  private static <T> void assertDefault(Setting<T> setting, String crdDefault) {
    assertThat(setting.defaultValue()).as(setting.name()).contains(setting.parse(crdDefault));
  }

  /** The issuer and audience a tenant asks for reach the runtime; unset, the runtime checks neither claim. */
  @Test
  void passesTheTokenIssuerAndAudienceOnlyWhenSet() {
    assertThat(TenantFixtures.acmeModel().generateConfigMap().getData())
        .doesNotContainKeys("SLIPSTREAM_JWT_ISSUER", "SLIPSTREAM_JWT_AUDIENCE");
    assertThat(fullTenant().generateConfigMap().getData())
        .containsEntry("SLIPSTREAM_JWT_ISSUER", "https://acme.example/auth/v1")
        .containsEntry("SLIPSTREAM_JWT_AUDIENCE", "authenticated");
  }

  /** Channel rules reach the runtime sorted and without repeats; without rules the variable is left out. */
  @Test
  void passesChannelRulesOnlyWhenSet() {
    assertThat(TenantFixtures.acmeModel().generateConfigMap().getData()).doesNotContainKey("SLIPSTREAM_CHANNEL_RULES");
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getAuth().setChannelRules(List.of(new ChannelRule("team-", "team"),
        new ChannelRule("org:", "app_metadata.org_id"), new ChannelRule("team-", "team")));
    assertThat(RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateConfigMap().getData())
        .containsEntry("SLIPSTREAM_CHANNEL_RULES", "org:=app_metadata.org_id,team-=team");
    assertThat(fullTenant().generateConfigMap().getData())
        .containsEntry("SLIPSTREAM_CHANNEL_RULES", "org:=app_metadata.org_id");
  }

  /**
   * The acme example with everything the operator can set: auth with issuer and audience, and claim rules (every
   * limit is written anyway).
   */
  private static RuntimeModel fullTenant() {
    RealtimeTenant tenant = acmeExample();
    assertThat(tenant.getSpec().getAuth().getJwtSecretRef()).isNotNull();
    tenant.getSpec().getAuth().setIssuer("https://acme.example/auth/v1");
    tenant.getSpec().getAuth().setAudience("authenticated");
    tenant.getSpec().getAuth().setChannelRules(List.of(new ChannelRule("org:", "app_metadata.org_id")));
    return RuntimeModel.fromTenant(tenant,
        inputsFor(tenant).accessRules(List.of("public.orders:customer_id=sub")).build());
  }

  /** The names of the ConfigMap's keys and the container's own variables. */
  private static List<String> setVariables(RuntimeModel model) {
    List<String> names = new ArrayList<>(model.generateConfigMap().getData().keySet());
    model.generateDeployment().getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()
        .forEach(env -> names.add(env.getName()));
    return names;
  }
}
