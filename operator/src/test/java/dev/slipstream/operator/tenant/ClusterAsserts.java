package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Awaits shared by the tenant and publication ITs: conditions, events, a stand-in kubelet. */
public final class ClusterAsserts {

  /** Generous: a loaded 2-core machine runs the API server, PostgreSQL and the operator at once. */
  public static final Duration TIMEOUT = Duration.ofSeconds(90);

  private ClusterAsserts() {
  }

  /** Waits for the tenant's condition of that type to have the status and reason; returns the tenant then. */
  public static RealtimeTenant awaitTenantCondition(LocallyRunOperatorExtension operator, String name, String type,
      String status, String reason) {
    return awaitTenantCondition(operator, name, type, status, reason, "");
  }

  /** As above, and the condition's message contains {@code messagePart}: several states share a reason. */
  public static RealtimeTenant awaitTenantCondition(LocallyRunOperatorExtension operator, String name, String type,
      String status, String reason, String messagePart) {
    AtomicReference<RealtimeTenant> seen = new AtomicReference<>();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      RealtimeTenant current = operator.get(RealtimeTenant.class, name);
      Optional<Condition> condition = current == null || current.getStatus() == null ? Optional.empty()
          : Conditions.find(current.getStatus().getConditions(), type);
      assertThat(condition).as(type + " of " + name).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo(status);
        assertThat(c.getReason()).isEqualTo(reason);
        assertThat(c.getMessage()).contains(messagePart);
      });
      seen.set(current);
    });
    return seen.get();
  }

  /** Waits for an event of that type and reason about the resource of that kind and name. */
  public static Event awaitEvent(LocallyRunOperatorExtension operator, String kind, String name, String type,
      String reason) {
    AtomicReference<Event> seen = new AtomicReference<>();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<Event> found = events(operator, kind, name).stream()
          .filter(e -> type.equals(e.getType()) && reason.equals(e.getReason())).toList();
      assertThat(found).as(type + " event " + reason + " about " + kind + " " + name).isNotEmpty();
      seen.set(found.get(found.size() - 1));
    });
    return seen.get();
  }

  /** Every event about the resource of that kind and name in the operator's namespace. */
  public static List<Event> events(LocallyRunOperatorExtension operator, String kind, String name) {
    return operator.getKubernetesClient().v1().events().inNamespace(operator.getNamespace()).list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && kind.equals(e.getInvolvedObject().getKind())
            && name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** No kubelet runs here: stand in for it by reporting the tenant's runtime pod ready. */
  public static void reportRuntimeReady(LocallyRunOperatorExtension operator, String tenant) {
    String ns = operator.getNamespace();
    AtomicReference<Deployment> deployment = new AtomicReference<>();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<Deployment> owned = operator.getKubernetesClient().apps().deployments().inNamespace(ns).list().getItems()
          .stream().filter(d -> d.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> "RealtimeTenant".equals(o.getKind()) && tenant.equals(o.getName())))
          .toList();
      assertThat(owned).as("runtime Deployment of " + tenant).hasSize(1);
      deployment.set(owned.get(0));
    });
    Deployment withStatus = new DeploymentBuilder().withNewMetadata().withName(deployment.get().getMetadata().getName())
        .withNamespace(ns).endMetadata().withNewStatus().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
        .endStatus().build();
    operator.getKubernetesClient().apps().deployments().inNamespace(ns).resource(withStatus).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-kubelet")
            .withForce(true).build());
  }

  /** A JSON merge patch of the tenant's spec: no resourceVersion, so no conflict with status writes. */
  public static void patchTenantSpec(LocallyRunOperatorExtension operator, String name, String specJson) {
    operator.getKubernetesClient().resources(RealtimeTenant.class).inNamespace(operator.getNamespace()).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + specJson + "}");
  }
}
