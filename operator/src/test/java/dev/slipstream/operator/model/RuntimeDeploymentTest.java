package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static dev.slipstream.operator.model.TenantFixtures.inputsFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.CaSecretRef;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimeTlsSpec;
import dev.slipstream.api.v1alpha1.SecretKeyRef;
import dev.slipstream.api.v1alpha1.SslMode;
import dev.slipstream.api.v1alpha1.TlsSecretRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeDeploymentTest {

  private final RuntimeModel model = TenantFixtures.acmeModel();
  private final Deployment deployment = model.generateDeployment(3);
  private final PodSpec pod = deployment.getSpec().getTemplate().getSpec();
  private final Container container = pod.getContainers().getFirst();

  @Test
  void metadataAndSelector() {
    TenantFixtures.assertRuntimeMetadata(deployment, "acme-runtime");
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(TenantFixtures.SELECTOR);
    assertThat(deployment.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(model.generateConfigMap().getMetadata().getLabels())
        .containsAllEntriesOf(TenantFixtures.SELECTOR);
  }

  @Test
  void replicasComeFromTheCaller() {
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(model.generateDeployment().getSpec().getReplicas()).isEqualTo(1);
    assertThat(model.generateDeployment((Integer) null).getSpec().getReplicas()).isNull();
    assertThatThrownBy(() -> model.generateDeployment(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rollsOnePodAtATime() {
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(1));
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(1));
  }

  @Test
  void podAnnotationsCarryTheConfigChecksum() {
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "realtime.slipstream.dev/config-checksum", model.configChecksum(),
        "prometheus.io/scrape", "true",
        "prometheus.io/port", "4000",
        "prometheus.io/path", "/metrics"));
    assertThat(model.configChecksum()).matches("[0-9a-f]{64}");
  }

  @Test
  void podSpec() {
    assertThat(pod.getServiceAccountName()).isEqualTo("acme-runtime");
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(pod.getInitContainers()).isNullOrEmpty();
    assertThat(pod.getVolumes()).singleElement().satisfies(volume -> {
      assertThat(volume.getName()).isEqualTo("tmp");
      assertThat(volume.getEmptyDir()).isNotNull();
    });
  }

  @Test
  void restrictedSecurityContext() {
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var security = container.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getPrivileged()).isNull();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  void containerImagePortsAndMounts() {
    assertThat(container.getName()).isEqualTo("runtime");
    assertThat(container.getImage()).isEqualTo(TenantFixtures.DEFAULT_IMAGE);
    assertThat(container.getPorts()).extracting("name", "containerPort", "protocol")
        .containsExactly(org.assertj.core.groups.Tuple.tuple("http", 4000, "TCP"),
            org.assertj.core.groups.Tuple.tuple("relay", 4001, "TCP"));
    assertThat(container.getVolumeMounts()).singleElement().satisfies(mount -> {
      assertThat(mount.getName()).isEqualTo("tmp");
      assertThat(mount.getMountPath()).isEqualTo("/tmp");
      assertThat(mount.getReadOnly()).isNull();
    });
    assertThat(container.getCommand()).isNullOrEmpty();
    assertThat(container.getArgs()).isNullOrEmpty();
  }

  @Test
  void environmentFromTheConfigMapAndTheSecrets() {
    assertThat(container.getEnvFrom()).singleElement().satisfies(source -> {
      assertThat(source.getConfigMapRef().getName()).isEqualTo("acme-runtime");
      assertThat(source.getSecretRef()).isNull();
      assertThat(source.getPrefix()).isNull();
    });
    assertThat(container.getEnv()).extracting(EnvVar::getName).containsExactly("SLIPSTREAM_DB_USER",
        "SLIPSTREAM_DB_PASSWORD", "SLIPSTREAM_RELAY_KEY", "SLIPSTREAM_JWT_SECRET", "SLIPSTREAM_SPILL_DIR", "SLIPSTREAM_POD_NAME",
        "SLIPSTREAM_POD_NAMESPACE", "SLIPSTREAM_POD_IP");
    assertThat(env("SLIPSTREAM_POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(env("SLIPSTREAM_POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env("SLIPSTREAM_POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    // As the API server defaults it: otherwise the stored Deployment never equals the applied one.
    assertThat(env("SLIPSTREAM_POD_IP").getValueFrom().getFieldRef().getApiVersion()).isEqualTo("v1");
    assertSecret(env("SLIPSTREAM_DB_USER"), "acme-db", "username");
    assertSecret(env("SLIPSTREAM_DB_PASSWORD"), "acme-db", "password");
    assertSecret(env("SLIPSTREAM_JWT_SECRET"), "acme-jwt", "secret");
    // The Secret the operator makes for the tenant (RelayKeySecret), by reference only.
    assertSecret(env("SLIPSTREAM_RELAY_KEY"), "acme-runtime-relay", "relay-key");
    assertThat(env("SLIPSTREAM_SPILL_DIR").getValue()).isEqualTo("/tmp/spill");
    assertThat(env("SLIPSTREAM_SPILL_DIR").getValue()).startsWith(container.getVolumeMounts().getFirst().getMountPath());
  }

  @Test
  void theDatabaseCaIsMountedFromItsSecretUnderOneFileName() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getDatabase().setSslMode(SslMode.VERIFY_FULL);
    CaSecretRef ca = new CaSecretRef();
    ca.setName("acme-db-ca");
    ca.setKey("root.pem");
    tenant.getSpec().getDatabase().setCaSecretRef(ca);
    RuntimeModel withCa = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build());
    PodSpec caPod = withCa.generateDeployment().getSpec().getTemplate().getSpec();

    assertThat(caPod.getVolumes()).filteredOn(v -> v.getName().equals("database-ca")).singleElement().satisfies(v -> {
      assertThat(v.getSecret().getSecretName()).isEqualTo("acme-db-ca");
      assertThat(v.getSecret().getItems()).singleElement().satisfies(item -> {
        assertThat(item.getKey()).isEqualTo("root.pem");
        assertThat(item.getPath()).isEqualTo("ca.crt");
      });
    });
    assertThat(caPod.getContainers().getFirst().getVolumeMounts()).filteredOn(m -> m.getName().equals("database-ca"))
        .singleElement().satisfies(mount -> {
          assertThat(mount.getMountPath()).isEqualTo("/etc/slipstream/database-ca");
          assertThat(mount.getReadOnly()).isTrue();
          assertThat(mount.getSubPath()).as("a subPath mount would not follow a rotated Secret").isNull();
        });
    assertThat(withCa.configData()).containsEntry("SLIPSTREAM_DB_SSLROOTCERT", "/etc/slipstream/database-ca/ca.crt")
        .containsEntry("SLIPSTREAM_DB_SSLMODE", "verify-full");
    assertThat(model.configData()).doesNotContainKey("SLIPSTREAM_DB_SSLROOTCERT");
  }

  @Test
  void withTlsTheCertificateIsMountedAndProbesAndScrapesSpeakHttps() {
    RealtimeTenant tenant = acmeExample();
    RuntimeTlsSpec tls = new RuntimeTlsSpec();
    TlsSecretRef ref = new TlsSecretRef();
    ref.setName("acme-runtime-tls");
    tls.setSecretRef(ref);
    tenant.getSpec().getRuntime().setTls(tls);
    RuntimeModel withTls = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build());
    Deployment tlsDeployment = withTls.generateDeployment();
    PodSpec tlsPod = tlsDeployment.getSpec().getTemplate().getSpec();
    Container tlsContainer = tlsPod.getContainers().getFirst();

    assertThat(tlsPod.getVolumes()).filteredOn(v -> v.getName().equals("tls")).singleElement().satisfies(v -> {
      assertThat(v.getSecret().getSecretName()).isEqualTo("acme-runtime-tls");
      assertThat(v.getSecret().getItems()).as("every key, ca.crt included when there is one").isNullOrEmpty();
    });
    assertThat(tlsContainer.getVolumeMounts()).filteredOn(m -> m.getName().equals("tls")).singleElement()
        .satisfies(mount -> {
          assertThat(mount.getMountPath()).isEqualTo("/etc/slipstream/tls");
          assertThat(mount.getReadOnly()).isTrue();
          assertThat(mount.getSubPath()).isNull();
        });
    assertThat(withTls.configData()).containsEntry("SLIPSTREAM_TLS_CERT_FILE", "/etc/slipstream/tls/tls.crt")
        .containsEntry("SLIPSTREAM_TLS_KEY_FILE", "/etc/slipstream/tls/tls.key");
    for (Probe probe : List.of(tlsContainer.getStartupProbe(), tlsContainer.getReadinessProbe(),
        tlsContainer.getLivenessProbe())) {
      assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
    }
    assertThat(tlsDeployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scheme", "https");
    assertThat(withTls.endpoints().getWebsocket()).isEqualTo("wss://acme-runtime.acme.svc:4000/realtime/v1/websocket");
    assertThat(withTls.endpoints().getSse()).isEqualTo("https://acme-runtime.acme.svc:4000/realtime/v1/sse");
    assertThat(model.configData()).doesNotContainKeys("SLIPSTREAM_TLS_CERT_FILE", "SLIPSTREAM_TLS_KEY_FILE");
    assertThat(model.endpoints().getWebsocket()).startsWith("ws://");
  }

  @Test
  void aDatabaseCaWithoutVerifyFullIsRefusedNamingBothFields() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getDatabase().setSslMode(SslMode.REQUIRE);
    CaSecretRef ca = new CaSecretRef();
    ca.setName("acme-db-ca");
    tenant.getSpec().getDatabase().setCaSecretRef(ca);

    assertThatThrownBy(() -> RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()))
        .isInstanceOf(InvalidTenantException.class)
        .hasMessage("spec.database.caSecretRef needs spec.database.sslMode verify-full, not require: only verify-full "
            + "checks the server's certificate against a CA");
  }

  @Test
  void credentialKeysComeFromTheSpec() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getDatabase().getCredentialsSecretRef().setUsernameKey("user");
    tenant.getSpec().getDatabase().getCredentialsSecretRef().setPasswordKey("pass");
    Container other = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateDeployment()
        .getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertSecret(other.getEnv().get(0), "acme-db", "user");
    assertSecret(other.getEnv().get(1), "acme-db", "pass");
  }

  @Test
  void aPreviousJwtSecretIsPassedByReferenceBesideTheCurrentOne() {
    RealtimeTenant tenant = acmeExample();
    SecretKeyRef previous = new SecretKeyRef();
    previous.setName("acme-jwt-old");
    tenant.getSpec().getAuth().setPreviousJwtSecretRef(previous);
    Container other = RuntimeModel.fromTenant(tenant, inputsFor(tenant).previousJwtSecret(previous,
        SecretChecksum.of(TenantFixtures.secret("acme-jwt-old", Map.of("secret", "old")), "secret")).build())
        .generateDeployment().getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertSecret(other.getEnv().stream().filter(env -> env.getName().equals("SLIPSTREAM_JWT_PREVIOUS_SECRET"))
        .findFirst().orElseThrow(), "acme-jwt-old", "secret");
    assertThat(env("SLIPSTREAM_JWT_SECRET")).as("the example, without one").isNotNull();
    assertThat(container.getEnv()).extracting(EnvVar::getName).doesNotContain("SLIPSTREAM_JWT_PREVIOUS_SECRET");
  }

  @Test
  void withoutAuthThereIsNoJwtSecret() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().setAuth(null);
    Container other = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateDeployment()
        .getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(other.getEnv()).extracting(EnvVar::getName).doesNotContain("SLIPSTREAM_JWT_SECRET");
  }

  @Test
  void probes() {
    assertProbe(container.getStartupProbe(), "/healthz", 2, 2, 60);
    assertProbe(container.getReadinessProbe(), "/readyz", 5, 2, 2);
    assertProbe(container.getLivenessProbe(), "/healthz", 10, 3, 3);
  }

  @Test
  void resourcesFromTheSpec() {
    assertThat(container.getResources().getRequests())
        .containsExactlyInAnyOrderEntriesOf(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("256Mi")));
    assertThat(container.getResources().getLimits())
        .containsExactlyInAnyOrderEntriesOf(Map.of("memory", new Quantity("1Gi")));
  }

  @Test
  void theTenantsImage() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getRuntime().setImage("registry.example/runtime@sha256:" + "a".repeat(64));
    assertThat(RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generateDeployment()
        .getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
        .isEqualTo("registry.example/runtime@sha256:" + "a".repeat(64));
  }

  private EnvVar env(String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
  }

  private static void assertSecret(EnvVar env, String secret, String key) {
    assertThat(env.getValue()).isNull();
    assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret);
    assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(key);
    assertThat(env.getValueFrom().getSecretKeyRef().getOptional()).isNull();
  }

  private static void assertProbe(Probe probe, String path, int period, int timeout, int failures) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
    assertThat(probe.getHttpGet().getScheme()).isNull();
    assertThat(probe.getPeriodSeconds()).isEqualTo(period);
    assertThat(probe.getTimeoutSeconds()).isEqualTo(timeout);
    assertThat(probe.getFailureThreshold()).isEqualTo(failures);
    assertThat(probe.getSuccessThreshold()).isEqualTo(1);
    assertThat(probe.getInitialDelaySeconds()).isNull();
  }
}
