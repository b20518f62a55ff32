package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimeSpec;
import dev.slipstream.operator.model.RelayKeySecret;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay key's Secret on a real API server: made once with the tenant as owner, referenced by the
 * Deployment, left alone by later reconciles, and made again (with a new key, rolling the pods) after
 * someone deletes it.
 */
class RelayKeySecretIT {

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final TestPostgres postgres = TestCluster.postgres();

  @Test
  void madeOnceOwnedByTheTenantKeptAcrossReconcilesAndMadeAgainWhenDeleted() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("relay-db", postgres.password())));
    RealtimeTenant tenant = operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("relay", "relay-db", "Delete")));

    Deployment first = await().atMost(ClusterAsserts.TIMEOUT)
        .until(() -> operator.get(Deployment.class, "relay-runtime"), deployment -> deployment != null);
    Secret made = operator.get(Secret.class, "relay-runtime-relay");
    assertThat(made).as("the relay key's Secret, made before the Deployment that refers to it").isNotNull();
    assertThat(made.getType()).isEqualTo("Opaque");
    assertThat(made.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "slipstream-operator")
        .containsEntry("realtime.slipstream.dev/tenant", "relay");
    assertThat(made.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
      assertThat(owner.getKind()).isEqualTo("RealtimeTenant");
      assertThat(owner.getName()).isEqualTo("relay");
      assertThat(owner.getUid()).isEqualTo(tenant.getMetadata().getUid());
    });
    String key = made.getData().get(RelayKeySecret.KEY);
    assertThat(Base64.getDecoder().decode(Base64.getDecoder().decode(key))).hasSize(RelayKeySecret.KEY_BYTES);
    EnvVar relayKey = first.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .filter(env -> env.getName().equals("SLIPSTREAM_RELAY_KEY")).findFirst().orElseThrow();
    assertThat(relayKey.getValue()).isNull();
    assertThat(relayKey.getValueFrom().getSecretKeyRef().getName()).isEqualTo("relay-runtime-relay");
    assertThat(relayKey.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(RelayKeySecret.KEY);

    // Later reconciles (a spec change, and the rechecks every 2 s meanwhile) leave the key alone.
    RealtimeTenant current = operator.get(RealtimeTenant.class, "relay");
    current.getSpec().setRuntime(new RuntimeSpec());
    current.getSpec().getRuntime().setImage("example.org/slipstream/runtime:relay-it");
    operator.replace(current);
    await().atMost(ClusterAsserts.TIMEOUT).until(() -> "example.org/slipstream/runtime:relay-it".equals(
        operator.get(Deployment.class, "relay-runtime").getSpec().getTemplate().getSpec().getContainers().getFirst()
            .getImage()));
    Secret kept = operator.get(Secret.class, "relay-runtime-relay");
    assertThat(kept.getMetadata().getResourceVersion()).as("never written again")
        .isEqualTo(made.getMetadata().getResourceVersion());
    assertThat(kept.getData().get(RelayKeySecret.KEY)).isEqualTo(key);
    String checksum = checksum(operator.get(Deployment.class, "relay-runtime"));

    operator.getKubernetesClient().secrets().inNamespace(operator.getNamespace()).withName("relay-runtime-relay")
        .delete();
    Secret again = await().atMost(ClusterAsserts.TIMEOUT).until(() -> operator.get(Secret.class, "relay-runtime-relay"),
        secret -> secret != null && !secret.getMetadata().getUid().equals(made.getMetadata().getUid()));
    assertThat(again.getData().get(RelayKeySecret.KEY)).as("a new key").isNotEqualTo(key);
    assertThat(again.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(tenant.getMetadata().getUid()));
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> assertThat(checksum(operator.get(Deployment.class,
        "relay-runtime"))).as("the pods roll onto the new key").isNotEqualTo(checksum));
  }

  /**
   * A Secret of that name made before the tenant: without a usable key it is a finding naming it (not
   * overwritten); with one, the operator uses it as it is and adds no owner.
   */
  @Test
  void aSecretOfThatNameMadeBeforehandIsUsedOnlyWithAUsableKey() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("own-db", postgres.password())));
    operator.create(new SecretBuilder().withNewMetadata().withName("own-runtime-relay").endMetadata()
        .addToStringData("relay-key", "too-short").build());
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("own", "own-db", "Delete")));

    ClusterAsserts.awaitTenantCondition(operator, "own", ConditionTypes.RUNTIME_READY, Condition.FALSE,
        MissingInputException.SECRET_KEY_MISSING, "own-runtime-relay (the runtime's relay key, which the operator"
            + " makes) holds a 'relay-key' of 9 bytes; at least 16 are needed");
    assertThat(operator.get(Secret.class, "own-runtime-relay").getData().get(RelayKeySecret.KEY))
        .as("left as it was").isEqualTo(Base64.getEncoder().encodeToString("too-short".getBytes(StandardCharsets.UTF_8)));

    String ownKey = "a key the platform team chose and keeps in its vault";
    operator.getKubernetesClient().secrets().inNamespace(operator.getNamespace()).withName("own-runtime-relay")
        .edit(secret -> new SecretBuilder(secret).withData(null).addToStringData("relay-key", ownKey).build());
    await().atMost(ClusterAsserts.TIMEOUT).until(() -> operator.get(Deployment.class, "own-runtime") != null);
    Secret used = operator.get(Secret.class, "own-runtime-relay");
    assertThat(new String(Base64.getDecoder().decode(used.getData().get(RelayKeySecret.KEY)), StandardCharsets.UTF_8))
        .isEqualTo(ownKey);
    assertThat(used.getMetadata().getOwnerReferences()).as("not the operator's: no owner added").isNullOrEmpty();
  }

  private static String checksum(Deployment deployment) {
    return deployment.getSpec().getTemplate().getMetadata().getAnnotations()
        .get(RuntimeModel.CONFIG_CHECKSUM_ANNOTATION);
  }
}
