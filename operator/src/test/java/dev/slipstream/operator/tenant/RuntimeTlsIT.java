package dev.slipstream.operator.tenant;

import static dev.slipstream.operator.tenant.ClusterAsserts.awaitTenantCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimeSpec;
import dev.slipstream.api.v1alpha1.RuntimeTlsSpec;
import dev.slipstream.api.v1alpha1.TlsSecretRef;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.testing.postgres.TestPostgres;
import dev.slipstream.testing.tls.TestCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code spec.runtime.tls.secretRef} on a real API server: a missing Secret, or one without
 * {@code tls.key}, is a RuntimeReady finding naming the field (not pods stuck in ContainerCreating);
 * with the Secret complete the Deployment mounts it and the status advertises wss:// and https://.
 */
class RuntimeTlsIT {

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final TestPostgres postgres = TestCluster.postgres();

  @Test
  void theRuntimesCertificateSecretIsCheckedThenMounted() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("tls-db", postgres.password())));
    RealtimeTenant tenant = TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("tls", "tls-db", "Delete"));
    RuntimeTlsSpec tls = new RuntimeTlsSpec();
    TlsSecretRef ref = new TlsSecretRef();
    ref.setName("tls-cert");
    tls.setSecretRef(ref);
    tenant.getSpec().setRuntime(new RuntimeSpec());
    tenant.getSpec().getRuntime().setTls(tls);
    operator.create(tenant);

    awaitTenantCondition(operator, "tls", ConditionTypes.RUNTIME_READY, Condition.FALSE,
        MissingInputException.SECRET_NOT_FOUND, "tls-cert (spec.runtime.tls.secretRef) does not exist");

    TestCertificates.Issued certificate = TestCertificates.authority("tls CA").issue("tls-runtime", "tls-runtime.default.svc");
    // Opaque: the API server itself refuses a kubernetes.io/tls Secret without tls.key.
    operator.create(new SecretBuilder().withNewMetadata().withName("tls-cert").endMetadata()
        .addToStringData("tls.crt", certificate.certificatePem()).build());
    awaitTenantCondition(operator, "tls", ConditionTypes.RUNTIME_READY, Condition.FALSE,
        MissingInputException.SECRET_KEY_MISSING, "tls-cert (spec.runtime.tls.secretRef) has no 'tls.key' key");

    operator.getKubernetesClient().secrets().inNamespace(operator.getNamespace()).withName("tls-cert").edit(secret -> new SecretBuilder(secret)
        .addToStringData("tls.key", certificate.keyPem()).build());
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> {
      Deployment deployment = operator.get(Deployment.class, "tls-runtime");
      assertThat(deployment).isNotNull();
      assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
          .anySatisfy(volume -> assertThat(volume.getSecret()).isNotNull()
              .satisfies(secret -> assertThat(secret.getSecretName()).isEqualTo("tls-cert")));
      RealtimeTenant current = operator.get(RealtimeTenant.class, "tls");
      assertThat(current.getStatus().getEndpoints()).as("status.endpoints").isNotNull();
      assertThat(current.getStatus().getEndpoints().getWebsocket())
          .isEqualTo("wss://tls-runtime." + operator.getNamespace() + ".svc:4000/realtime/v1/websocket");
    });
  }
}
