package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.tenant.conditions.CredentialsFound;
import dev.slipstream.operator.tenant.conditions.DatabaseReady;
import dev.slipstream.operator.tenant.conditions.RuntimeInputsResolved;
import dev.slipstream.operator.tenant.conditions.RuntimePodsReady;
import dev.slipstream.operator.tenant.conditions.SlotReady;
import dev.slipstream.operator.tenant.dependent.CredentialsDependent;
import dev.slipstream.operator.tenant.dependent.DatabaseDependent;
import dev.slipstream.operator.tenant.dependent.ReplicationSlotDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeConfigMapDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeDeploymentDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeDisruptionBudgetDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeModelDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeRelayServiceDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeRoleBindingDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeRoleDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeServiceAccountDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeServiceDependent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.AbstractDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The tenant's workflow, the whole story in order: its credentials, its database's fitness for
 * logical replication, its replication slot, the runtime's model, then the runtime's Kubernetes
 * objects. Each step's ready postcondition (package {@code conditions}) gates the steps after it.
 *
 * <p>Built here and run by {@link TenantReconciler} (a standalone workflow), not declared with
 * {@code @Workflow} (a managed one): JOSDK 5.2.3 makes a controller whose managed workflow has a
 * deleting step (the slot's) spend a round of its own adding the finalizer, before and apart from
 * the round that does the work, one reconcile per tenant for nothing, and refuses a managed
 * workflow on a controller that sees every event, where the reconciler adds its finalizer itself
 * in its working round. The steps and their event sources are the same either way.
 */
final class TenantWorkflow {

  private final CredentialsDependent credentials = named(new CredentialsDependent(), CredentialsDependent.NAME);
  private final DatabaseDependent database = named(new DatabaseDependent(), DatabaseDependent.NAME);
  private final ReplicationSlotDependent slot = named(new ReplicationSlotDependent(), ReplicationSlotDependent.NAME);
  private final RuntimeModelDependent model = named(new RuntimeModelDependent(), RuntimeModelDependent.NAME);
  private final RuntimeConfigMapDependent configMap = named(new RuntimeConfigMapDependent(), "configmap");
  private final RuntimeServiceAccountDependent serviceAccount = named(new RuntimeServiceAccountDependent(),
      "serviceaccount");
  private final RuntimeRoleDependent role = named(new RuntimeRoleDependent(), "role");
  private final RuntimeRoleBindingDependent roleBinding = named(new RuntimeRoleBindingDependent(), "rolebinding");
  private final RuntimeDeploymentDependent deployment;
  private final RuntimeServiceDependent service = named(new RuntimeServiceDependent(), "service");
  private final RuntimeRelayServiceDependent relayService = named(new RuntimeRelayServiceDependent(), "relay-service");
  private final RuntimeDisruptionBudgetDependent disruptionBudget = named(new RuntimeDisruptionBudgetDependent(),
      "disruption-budget");

  private final Workflow<RealtimeTenant> workflow;

  /**
   * @param waitingForPublications whether a tenant waits for its publications' first reconcile: its
   *     Deployment's pod counts then do not wake it ({@link ProvisioningWaits})
   */
  TenantWorkflow(Predicate<ResourceID> waitingForPublications) {
    deployment = named(new RuntimeDeploymentDependent(waitingForPublications), RuntimeDeploymentDependent.NAME);
    workflow = new WorkflowBuilder<RealtimeTenant>()
      .addDependentResourceAndConfigure(credentials).withReadyPostcondition(new CredentialsFound())
      .addDependentResourceAndConfigure(database).dependsOn(credentials).withReadyPostcondition(new DatabaseReady())
      .addDependentResourceAndConfigure(slot).dependsOn(database).withReadyPostcondition(new SlotReady())
      .addDependentResourceAndConfigure(model).dependsOn(slot).withReadyPostcondition(new RuntimeInputsResolved())
      .addDependentResourceAndConfigure(configMap).dependsOn(model)
      .addDependentResourceAndConfigure(serviceAccount).dependsOn(model)
      .addDependentResourceAndConfigure(role).dependsOn(model)
      .addDependentResourceAndConfigure(roleBinding).dependsOn(serviceAccount, role)
      .addDependentResourceAndConfigure(deployment).dependsOn(configMap, roleBinding)
      .withReadyPostcondition(new RuntimePodsReady())
      // The Services and the budget select the pods by label: they need the model, not the Deployment.
      .addDependentResourceAndConfigure(service).dependsOn(model)
      .addDependentResourceAndConfigure(relayService).dependsOn(model)
      .addDependentResourceAndConfigure(disruptionBudget).dependsOn(model)
      .build();
  }

  Workflow<RealtimeTenant> workflow() {
    return workflow;
  }

  /**
   * The informers of the eight Kubernetes steps, seven of them: both Services come from one
   * (the same selector: it holds both Services of every tenant anyway).
   */
  List<EventSource<?, RealtimeTenant>> eventSources(EventSourceContext<RealtimeTenant> context) {
    List<EventSource<?, RealtimeTenant>> sources = Stream.<KubernetesDependentResource<?, RealtimeTenant>>of(configMap,
            serviceAccount, role, roleBinding, deployment, service, disruptionBudget)
        .<EventSource<?, RealtimeTenant>>map(step -> step.eventSource(context).orElseThrow())
        .toList();
    // The shared informer's add filter knows what the client Service step is creating, not the relay
    // step: the relay Service's own add is skipped by JOSDK's "previous" annotation, as every kind's
    // but the Deployment's is.
    relayService.setEventSource(service.eventSource(context).orElseThrow());
    return sources;
  }

  /** The Deployment step's informer, once {@link #eventSources} made it. */
  InformerEventSource<Deployment, RealtimeTenant> deployments() {
    return deployment.eventSource().orElseThrow();
  }

  private static <D extends AbstractDependentResource<?, ?>> D named(
      D step, String name) {
    step.setName(name);
    return step;
  }
}
