package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.ReclaimPolicy;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.postgres.DatabaseException;
import dev.slipstream.operator.postgres.DatabaseFacts;
import dev.slipstream.operator.postgres.DatabaseProblem;
import dev.slipstream.operator.postgres.SlotState;
import dev.slipstream.operator.postgres.TenantDatabase;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.SecretKeyRef;
import dev.slipstream.operator.model.PublicationNames;
import dev.slipstream.operator.model.ResolvedInputs;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.model.SecretChecksum;
import dev.slipstream.operator.tenant.dependent.RuntimeConfigMapDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeDeploymentDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeDisruptionBudgetDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeModels;
import dev.slipstream.operator.tenant.dependent.RuntimeRelayServiceDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeRoleBindingDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeRoleDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeServiceAccountDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeServiceDependent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link RealtimeTenant}'s database side: credentials, the database's fitness for
 * logical replication, and the replication slot; writes what it found to the status.
 *
 * <p>The slot is created when the tenant has never had one. When a slot the status recorded is
 * gone, or PostgreSQL marked it {@code lost}, changes were missed: SlotReady turns False with
 * reason {@value TenantStatus#SLOT_LOST} and the slot is not recreated behind anyone's back. The
 * annotation {@value TenantStatus#RECREATE_SLOT_ANNOTATION}{@code : "true"} asks for a new slot (a
 * lost one is dropped first); remove it afterwards, or a later loss is repaired silently too.
 *
 * <p>Once the slot is ready, the runtime's objects are reconciled by the tenant's {@code @Workflow}
 * (invoked explicitly, so the {@link RuntimeModel} it renders is built once, from the tenant, its
 * Secrets and its publications); RuntimeReady follows the Deployment's ready replicas.
 *
 * <p>PublicationsReady follows the tenant's RealtimePublications (watched, so it moves when theirs
 * do), LagWithinBudget compares the slot's lag with {@code spec.replication.maxLagBytes}; Ready and
 * the phase sum them up in {@link TenantStatus}. Every condition transition is also recorded as a
 * Kubernetes Event ({@link ConditionEvents}), best effort.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "configmap", type = RuntimeConfigMapDependent.class),
    @Dependent(name = "serviceaccount", type = RuntimeServiceAccountDependent.class),
    @Dependent(name = "role", type = RuntimeRoleDependent.class),
    @Dependent(name = "rolebinding", type = RuntimeRoleBindingDependent.class, dependsOn = {"serviceaccount", "role"}),
    @Dependent(name = "deployment", type = RuntimeDeploymentDependent.class, dependsOn = {"configmap", "rolebinding"}),
    @Dependent(name = "service", type = RuntimeServiceDependent.class, dependsOn = "deployment"),
    @Dependent(name = "relay-service", type = RuntimeRelayServiceDependent.class, dependsOn = "deployment"),
    @Dependent(name = "disruption-budget", type = RuntimeDisruptionBudgetDependent.class, dependsOn = "deployment")
})
@ControllerConfiguration(name = TenantReconciler.NAME, fieldManager = OperatorConfig.FIELD_MANAGER)
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class TenantReconciler implements Reconciler<RealtimeTenant>, Cleaner<RealtimeTenant> {

  public static final String NAME = "realtimetenant";

  private static final Logger LOG = LoggerFactory.getLogger(TenantReconciler.class);

  private final TenantStatus statuses = new TenantStatus();
  /**
   * Slots this process created, by tenant. The status records them too, but a reconcile may run on
   * a cached copy from before that status patch landed; without this, a slot dropped right after
   * its creation would look never-created and be recreated silently.
   */
  private final java.util.Set<String> createdSlots = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Duration recheckInterval;
  private final String defaultImage;
  private final SlotLagMetrics slotLag;

  public TenantReconciler() {
    this(OperatorConfig.defaults());
  }

  public TenantReconciler(OperatorConfig config) {
    this(config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  public TenantReconciler(OperatorConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
    this.recheckInterval = config.recheckInterval();
    this.defaultImage = config.defaultRuntimeImage();
    this.slotLag = new SlotLagMetrics(registry);
  }

  @Override
  public UpdateControl<RealtimeTenant> reconcile(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    TenantStatus.Builder status = statuses.from(tenant);
    String slotName = SlotNames.forTenant(tenant);
    // Publications report their own readiness; the tenant sees it at its next recheck.
    List<RealtimePublication> publications = TenantPublications.of(context.getClient(), tenant);
    status.publications(publications);
    ConnectionSettings settings;
    try {
      settings = TenantConnections.resolve(context.getClient(), tenant);
    } catch (MissingInputException e) {
      return patchIfChanged(context, tenant, status.databaseNotReady(e.reason(), e.getMessage()).build())
          .rescheduleAfter(recheckInterval);
    } catch (InvalidTenantException e) {
      return patchIfChanged(context, tenant, status.databaseNotReady(Reasons.INVALID_SPEC, e.getMessage()).build());
    }
    // A DatabaseException (unreachable, authentication, ...) leaves here: retried with backoff.
    try (TenantDatabase database = TenantDatabase.open(settings)) {
      DatabaseFacts facts = database.check(slotName);
      List<DatabaseProblem> problems = facts.problems();
      if (!problems.isEmpty()) {
        String message = problems.stream().map(DatabaseProblem::message).collect(Collectors.joining("; "));
        return patchIfChanged(context, tenant, status.databaseNotReady(problems.get(0).reason(), message).build())
            .rescheduleAfter(recheckInterval);
      }
      status.databaseReady("PostgreSQL " + facts.version().display() + ", database " + facts.database()
          + " is ready for logical replication");
      Optional<SlotState> slot = ensureSlot(tenant, database, slotName);
      slot.filter(s -> s.lagBytes() != null).ifPresent(s -> slotLag.record(tenant.getMetadata().getNamespace(),
          tenant.getMetadata().getName(), slotName, s.lagBytes()));
      status.slot(slot, slotName).lag(LagBudget.budgetBytes(tenant));
    }
    if (status.slotReady()) {
      reconcileRuntime(tenant, context, slotName, publications, status);
    }
    return patchIfChanged(context, tenant, status.build()).rescheduleAfter(recheckInterval);
  }

  @Override
  public List<EventSource<?, RealtimeTenant>> prepareEventSources(EventSourceContext<RealtimeTenant> context) {
    return List.of(TenantPublications.eventSource(context));
  }

  /**
   * Runs the workflow of the runtime's objects (ConfigMap, RBAC, Deployment, Services, PDB) on the
   * model built from the tenant and what it refers to, and reports the Deployment's readiness.
   */
  private void reconcileRuntime(RealtimeTenant tenant, Context<RealtimeTenant> context, String slotName,
      List<RealtimePublication> publications, TenantStatus.Builder status) {
    RuntimeModel model;
    try {
      model = RuntimeModel.fromTenant(tenant, runtimeInputs(tenant, context, slotName, publications));
    } catch (InvalidTenantException e) {
      status.runtimeNotReady(Reasons.INVALID_SPEC, e.getMessage());
      return;
    } catch (MissingInputException e) {
      status.runtimeNotReady(e.reason(), e.getMessage());
      return;
    }
    RuntimeModels.put(context, model);
    WorkflowReconcileResult result = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    result.throwAggregateExceptionIfErrorsPresent();
    status.endpoints(model.endpoints());
    int ready = context.getSecondaryResource(Deployment.class)
        .map(d -> d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas())
        .orElse(0);
    if (ready >= model.minReplicas()) {
      status.runtimeReady(ready + " runtime pod(s) ready");
    } else {
      status.runtimeNotReady(Reasons.RECONCILING, ready + " of " + model.minReplicas() + " runtime pod(s) ready");
    }
  }

  private ResolvedInputs runtimeInputs(RealtimeTenant tenant, Context<RealtimeTenant> context, String slotName,
      List<RealtimePublication> tenantPublications) {
    String namespace = tenant.getMetadata().getNamespace();
    var credentialsRef = tenant.getSpec().getDatabase().getCredentialsSecretRef();
    Secret credentials = TenantConnections.secret(context.getClient(), namespace, credentialsRef.getName(),
        "spec.database.credentialsSecretRef");
    List<String> publications = tenantPublications.stream().map(PublicationNames::forPublication).distinct().toList();
    List<String> accessRules = tenantPublications.stream()
        .filter(p -> p.getSpec().getAccess() != null)
        .flatMap(p -> p.getSpec().getAccess().stream())
        .map(rule -> rule.getTable() + ":" + rule.getColumn() + "=" + rule.getClaim())
        .toList();
    ResolvedInputs.Builder inputs = ResolvedInputs.builder()
        .slotName(slotName)
        .publicationNames(publications)
        .accessRules(accessRules)
        .defaultImage(defaultImage)
        .credentialsChecksum(SecretChecksum.ofCredentials(credentials, credentialsRef));
    SecretKeyRef jwt = tenant.getSpec().getAuth() == null ? null : tenant.getSpec().getAuth().getJwtSecretRef();
    if (jwt != null && jwt.getName() != null) {
      String key = jwt.getKey() == null || jwt.getKey().isBlank() ? "secret" : jwt.getKey();
      Secret jwtSecret = TenantConnections.secret(context.getClient(), namespace, jwt.getName(), "spec.auth.jwtSecretRef");
      inputs.jwtSecret(jwt, SecretChecksum.of(jwtSecret, key));
    }
    return inputs.build();
  }

  /** The slot as it is now; created only when the tenant never had one. */
  private Optional<SlotState> ensureSlot(RealtimeTenant tenant, TenantDatabase database, String slotName) {
    Optional<SlotState> slot = database.slot(slotName);
    boolean recreate = TenantStatus.recreateRequested(tenant);
    if (slot.isPresent() && slot.get().lost() && recreate) {
      LOG.warn("{}/{}: dropping lost replication slot {} to recreate it, as {} asks", tenant.getMetadata().getNamespace(),
          tenant.getMetadata().getName(), slotName, TenantStatus.RECREATE_SLOT_ANNOTATION);
      database.dropSlot(slotName);
      slot = Optional.empty();
    } else if (slot.isPresent() || (hadSlot(tenant, slotName) && !recreate)) {
      return slot;
    }
    LOG.info("{}/{}: creating replication slot {}", tenant.getMetadata().getNamespace(),
        tenant.getMetadata().getName(), slotName);
    SlotState created = database.createSlot(slotName);
    createdSlots.add(slotKey(tenant, slotName));
    return Optional.of(created);
  }

  private boolean hadSlot(RealtimeTenant tenant, String slotName) {
    return TenantStatus.hadSlot(tenant, slotName) || createdSlots.contains(slotKey(tenant, slotName));
  }

  private static String slotKey(RealtimeTenant tenant, String slotName) {
    return tenant.getMetadata().getNamespace() + "/" + tenant.getMetadata().getName() + "/" + slotName;
  }

  @Override
  public ErrorStatusUpdateControl<RealtimeTenant> updateErrorStatus(RealtimeTenant tenant, Context<RealtimeTenant> context,
      Exception e) {
    TenantStatus.Builder status = statuses.from(tenant);
    if (e instanceof DatabaseException failure) {
      status.databaseNotReady(failure.reason(), failure.getMessage());
    } else {
      // Not the database: the runtime's objects could not be applied (the Kubernetes API's message).
      status.runtimeNotReady("ReconcileError", String.valueOf(e.getMessage()));
    }
    RealtimeTenantStatus next = status.build();
    if (TenantStatus.same(next, tenant.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    ConditionEvents.recordTransitions(context.getClient(), tenant,
        tenant.getStatus() == null ? null : tenant.getStatus().getConditions(), next.getConditions());
    return ErrorStatusUpdateControl.patchStatus(statusPatch(tenant, next));
  }

  @Override
  public DeleteControl cleanup(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    String slotName = SlotNames.forTenant(tenant);
    // A new tenant of the same name later starts afresh.
    createdSlots.remove(slotKey(tenant, slotName));
    slotLag.forget(tenant.getMetadata().getNamespace(), tenant.getMetadata().getName());
    ReclaimPolicy policy = tenant.getSpec().getReplication() == null ? null : tenant.getSpec().getReplication().getReclaimPolicy();
    if (policy == ReclaimPolicy.RETAIN) {
      LOG.info("{}/{}: keeping replication slot {} (reclaimPolicy Retain); it holds WAL until someone drops it",
          tenant.getMetadata().getNamespace(), tenant.getMetadata().getName(), slotName);
      return DeleteControl.defaultDelete();
    }
    try (TenantDatabase database = TenantDatabase.open(TenantConnections.resolve(context.getClient(), tenant))) {
      database.dropSlot(slotName);
      return DeleteControl.defaultDelete();
    } catch (MissingInputException | InvalidTenantException | DatabaseException e) {
      boolean forced = tenant.getMetadata().getAnnotations() != null
          && "true".equalsIgnoreCase(tenant.getMetadata().getAnnotations().get(OperatorConfig.FORCE_DELETE_ANNOTATION));
      if (forced) {
        LOG.warn("{}/{}: replication slot {} could not be dropped ({}); deleting anyway as {} asks",
            tenant.getMetadata().getNamespace(), tenant.getMetadata().getName(), slotName, e.getMessage(),
            OperatorConfig.FORCE_DELETE_ANNOTATION);
        return DeleteControl.defaultDelete();
      }
      LOG.warn("{}/{}: cannot drop replication slot {} yet: {}; annotate {}=true to delete without dropping it",
          tenant.getMetadata().getNamespace(), tenant.getMetadata().getName(), slotName, e.getMessage(),
          OperatorConfig.FORCE_DELETE_ANNOTATION);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(recheckInterval);
    }
  }

  private static UpdateControl<RealtimeTenant> patchIfChanged(Context<RealtimeTenant> context, RealtimeTenant tenant,
      RealtimeTenantStatus status) {
    if (TenantStatus.same(status, tenant.getStatus())) {
      return UpdateControl.noUpdate();
    }
    ConditionEvents.recordTransitions(context.getClient(), tenant,
        tenant.getStatus() == null ? null : tenant.getStatus().getConditions(), status.getConditions());
    return UpdateControl.patchStatus(statusPatch(tenant, status));
  }

  /**
   * A server-side apply patch with only the identity and the fields the operator owns: runtime pods
   * own their {@code status.runtime.pods[]} entries, so {@code status.runtime} is never sent here.
   */
  static RealtimeTenant statusPatch(RealtimeTenant tenant, RealtimeTenantStatus status) {
    RealtimeTenant patch = new RealtimeTenant();
    patch.setMetadata(new ObjectMetaBuilder().withName(tenant.getMetadata().getName())
        .withNamespace(tenant.getMetadata().getNamespace()).build());
    patch.setSpec(null);
    status.setRuntime(null);
    patch.setStatus(status);
    return patch;
  }
}
