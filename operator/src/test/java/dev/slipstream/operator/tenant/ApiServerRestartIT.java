package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.testing.kube.TestApiServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kube-apiserver restarted under a running operator (SIGTERM, down 15 s, started again on the
 * same port, certificates and etcd): the operator keeps running, its informers recover on their
 * own, and a spec change made after the restart is reconciled as quickly as one made before it.
 * Runs the operator without leader election (see reliability.md for what the Lease does in
 * production).
 */
class ApiServerRestartIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Duration OUTAGE = Duration.ofSeconds(15);

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  @Test
  void theOperatorRecoversOnItsOwnAndReconcilesAChangeMadeAfterTheRestart() {
    KubernetesClient client = operator.getKubernetesClient();
    String ns = operator.getNamespace();
    operator.create(TestCluster.load(client, Secret.class, TestCluster.secretYaml("omega-db",
        TestCluster.postgres().password())));
    operator.create(TestCluster.load(client, RealtimeTenant.class, TestCluster.tenantYaml("omega", "omega-db", "Delete")));
    Deployment deployment = await().atMost(TIMEOUT).until(() -> client.apps().deployments().inNamespace(ns).list()
        .getItems().stream().filter(d -> d.getMetadata().getName().startsWith("omega")).findFirst().orElse(null),
        d -> d != null);
    String name = deployment.getMetadata().getName();
    reportPodsReady(client, ns, name);
    awaitReady();
    long before = reconcileImage(client, ns, name, "example.org/slipstream-runtime:before");

    TestApiServer server = TestCluster.apiServer(operator);
    RuntimeInfo info = operator.getOperator().getRuntimeInfo();
    long stopping = System.nanoTime();
    List<String> command = server.stopApiServer();
    long down = System.nanoTime();
    // Held for the outage; the operator must still be running throughout it.
    await().atMost(OUTAGE.plusSeconds(10)).pollInterval(Duration.ofMillis(200)).during(OUTAGE)
        .until(info::isStarted);
    boolean unhealthySeen = !info.allEventSourcesAreHealthy();
    long starting = System.nanoTime();
    server.startApiServer(command);
    long up = System.nanoTime();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(info::allEventSourcesAreHealthy);
    long healthy = System.nanoTime();

    long after = reconcileImage(client, ns, name, "example.org/slipstream-runtime:after");
    reportPodsReady(client, ns, name);
    awaitReady();
    System.out.printf("FAULT kube-apiserver restart under the operator: SIGTERM took %d ms, down %d ms, start to"
            + " ready %d ms; informers unhealthy at the end of the outage: %s; healthy again %d ms after the API server"
            + " was ready; a spec change reconciled into the Deployment in %d ms (%d ms before the outage)%n",
        ms(stopping, down), ms(down, starting), ms(starting, up), unhealthySeen, ms(up, healthy), after, before);
    assertThat(after).as("a change after the restart is reconciled within 30 s").isLessThan(30_000);
  }

  /** Merge-patches {@code spec.runtime.image}; returns ms until the Deployment's container has it. */
  private static long reconcileImage(KubernetesClient client, String ns, String deployment, String image) {
    long patched = System.nanoTime();
    client.resources(RealtimeTenant.class).inNamespace(ns).withName("omega").patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runtime\":{\"image\":\"" + image + "\"}}}");
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> image.equals(
        client.apps().deployments().inNamespace(ns).withName(deployment).get().getSpec().getTemplate().getSpec()
            .getContainers().getFirst().getImage()));
    return ms(patched, System.nanoTime());
  }

  /** No kubelet here: stand in for it by reporting the pods ready. */
  private static void reportPodsReady(KubernetesClient client, String ns, String deployment) {
    long generation = client.apps().deployments().inNamespace(ns).withName(deployment).get().getMetadata()
        .getGeneration();
    Deployment withStatus = new DeploymentBuilder().withNewMetadata().withName(deployment).withNamespace(ns)
        .endMetadata().withNewStatus().withObservedGeneration(generation).withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
        .withUpdatedReplicas(1).endStatus().build();
    client.apps().deployments().inNamespace(ns).resource(withStatus).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-kubelet")
            .withForce(true).build());
  }

  private static void awaitReady() {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      RealtimeTenant tenant = operator.get(RealtimeTenant.class, "omega");
      assertThat(tenant.getStatus()).isNotNull();
      assertThat(Conditions.find(tenant.getStatus().getConditions(), ConditionTypes.READY))
          .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.TRUE));
    });
  }

  private static long ms(long from, long to) {
    return Duration.ofNanos(to - from).toMillis();
  }
}
