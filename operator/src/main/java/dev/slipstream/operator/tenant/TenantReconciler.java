package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.ReclaimPolicy;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.model.RuntimeNames;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.postgres.DatabaseFacts;
import dev.slipstream.operator.postgres.IdleSessions;
import dev.slipstream.operator.postgres.SlotState;
import dev.slipstream.operator.reconcile.Failure;
import dev.slipstream.operator.reconcile.OwnFinalizer;
import dev.slipstream.operator.reconcile.Recheck;
import dev.slipstream.operator.reconcile.ReclaimPolicyCleanup;
import dev.slipstream.operator.reconcile.RecheckPace;
import dev.slipstream.operator.reconcile.SecretCache;
import dev.slipstream.operator.reconcile.StatusWriter;
import dev.slipstream.operator.tenant.dependent.AppliedTemplates;
import dev.slipstream.operator.tenant.dependent.CredentialsDependent;
import dev.slipstream.operator.tenant.dependent.DatabaseDependent;
import dev.slipstream.operator.tenant.dependent.ReplicationSlotDependent;
import dev.slipstream.operator.tenant.dependent.Resolved;
import dev.slipstream.operator.tenant.dependent.RuntimeDeploymentDependent;
import dev.slipstream.operator.tenant.dependent.RuntimeModelDependent;
import dev.slipstream.operator.tenant.dependent.SlotHistory;
import dev.slipstream.operator.tenant.dependent.TenantScope;
import dev.slipstream.operator.runtime.RuntimeStatusLoop;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a {@link RealtimeTenant}, the tenant's one controller. A round has two parts:
 * <ol>
 *   <li>the database workflow ({@link TenantWorkflow}), the whole story in order: its credentials,
 *       its database's fitness for logical replication, its replication slot, the runtime's model,
 *       then the runtime's Kubernetes objects; {@link #report} turns what each step found into the
 *       status. It runs when {@link WorkflowGate} says it is due: what it reads changed, its recheck
 *       came, or its backoff after a failure passed;
 *   <li>the runtime's status loop ({@link RuntimeStatusLoop}: prune the pods' entries, scale the
 *       Deployment, aggregate {@code status.runtime}), every round, also when the workflow failed
 *       or did not run: most rounds of a running tenant are its pods' reports.
 * </ol>
 *
 * <p>The workflow runs inside a {@link TenantScope}: the steps share one session to the tenant's
 * database, given back to {@link IdleSessions} when the workflow is done. A failure a step throws (the database
 * unreachable, the Kubernetes API refusing an object) is retried with backoff; a finding (a missing
 * Secret, {@code wal_level = replica}, a lost slot) is a condition, rechecked every
 * {@code SLIPSTREAM_RECHECK_INTERVAL} (plus up to a tenth, {@link Recheck}), which also refreshes the slot's lag. Every condition
 * transition is recorded as a Kubernetes Event ({@link StatusWriter}).
 *
 * <p>Which updates of the tenant bring it back: {@link TenantChanges} (the spec, deletion, the pods'
 * reports; not its own status writes). Its deletion comes here too ({@code triggerReconcilerOnAllEvents}):
 * the finalizer is added in the round that does the work, and the slot dropped per reclaim policy
 * when the tenant is being deleted ({@link OwnFinalizer}).
 *
 * <p>Why one controller and not two (the status loop was a second RealtimeTenant controller until
 * 2026-12-04): each kept its own informer of every tenant and of every runtime Deployment, parsing
 * each write twice, and each new tenant cost a round of both; {@code bin/bench operator} measured
 * the difference (docs/benchmarks.md).
 */
@ControllerConfiguration(name = TenantReconciler.NAME, fieldManager = OperatorConfig.FIELD_MANAGER,
    triggerReconcilerOnAllEvents = true, generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = TenantChanges.class))
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class TenantReconciler implements Reconciler<RealtimeTenant> {

  public static final String NAME = "realtimetenant";
  /**
   * {@code slipstream_operator_workflow_runs_total{reason}}: the tenant workflow's runs by why it ran
   * ({@code first} round in this process, what it reads {@code changed}, its {@code recheck}, a
   * {@code retry} after a failure); the rounds that did not run it ran only the status loop.
   */
  public static final String WORKFLOW_RUNS = "slipstream.operator.workflow.runs";
  /**
   * The finalizer that holds a tenant until its slot is dealt with: the name JOSDK gives a
   * {@code Cleaner}'s, which tenants made by earlier versions carry.
   */
  public static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(RealtimeTenant.class);

  private final ProvisioningWaits waits = new ProvisioningWaits();
  private final TenantWorkflow workflow = new TenantWorkflow(waits::waitingForPublications);
  private final TenantStatus statuses = new TenantStatus();
  private final OwnFinalizer<RealtimeTenant> finalizer = new OwnFinalizer<>(FINALIZER);
  private final StatusWriter<RealtimeTenant, RealtimeTenantStatus> statusWriter =
      new StatusWriter<>(RealtimeTenant::new, TenantStatus::same, RealtimeTenantStatus::getConditions);
  private final TenantScope.Shared shared;
  /**
   * {@code SLIPSTREAM_RECHECK_INTERVAL}, paced to one recheck per reconcile thread and second: with
   * more tenants than that, each is rechecked every tenants / threads seconds instead, so that the
   * rechecks of a thousand running tenants leave the threads to the tenants that are coming up.
   * The tenants are those in the informer's cache, counted before each workflow run: a thousand
   * applied at once are paced from the first. The Secret copies' age follows the same interval.
   */
  private final RecheckPace pace;
  private final ReclaimPolicyCleanup reclaim;
  private final SlotLagMetrics slotLag;
  private final MeterRegistry registry;
  private final RuntimeStatusLoop runtimeLoop;
  private final WorkflowGate gate = new WorkflowGate();
  private final Clock clock;

  public TenantReconciler() {
    this(OperatorConfig.defaults());
  }

  public TenantReconciler(OperatorConfig config) {
    this(config, new SimpleMeterRegistry());
  }

  public TenantReconciler(OperatorConfig config, MeterRegistry registry) {
    this(config, registry, IdleSessions.forReconcileThreads(config.reconcileThreads()));
  }

  /** @param sessions where sessions to tenant databases wait between reconciles (shared with the publications') */
  public TenantReconciler(OperatorConfig config, MeterRegistry registry, IdleSessions sessions) {
    this(config, registry, sessions, new RecheckPace(config.recheckInterval(), config.reconcileThreads()));
  }

  private TenantReconciler(OperatorConfig config, MeterRegistry registry, IdleSessions sessions, RecheckPace pace) {
    this(config, registry, sessions, new SecretCache(pace::interval), pace);
  }

  /**
   * @param secrets the Secrets tenants name, read once per recheck interval (shared with the publications')
   * @param pace the tenants' recheck interval, which this reconciler keeps counting the tenants for
   *     (the one {@code secrets} reads)
   */
  public TenantReconciler(OperatorConfig config, MeterRegistry registry, IdleSessions sessions, SecretCache secrets,
      RecheckPace pace) {
    this(config, registry, sessions, secrets, pace, Clock.systemUTC());
  }

  TenantReconciler(OperatorConfig config, MeterRegistry registry, IdleSessions sessions, SecretCache secrets,
      RecheckPace pace, Clock clock) {
    this.clock = clock;
    this.runtimeLoop = new RuntimeStatusLoop(config, clock);
    this.shared = new TenantScope.Shared(config.defaultRuntimeImage(), new SlotHistory(), new AppliedTemplates(),
        sessions, secrets);
    this.pace = pace;
    this.reclaim = new ReclaimPolicyCleanup(config.recheckInterval());
    this.slotLag = new SlotLagMetrics(registry);
    this.registry = registry;
  }

  @Override
  public UpdateControl<RealtimeTenant> reconcile(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return finalizer.reconcile(tenant, context, this::apply, this::cleanup);
  }

  private UpdateControl<RealtimeTenant> apply(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    ResourceID id = ResourceID.fromResource(tenant);
    Instant now = clock.instant();
    // Publications report their own readiness (watched: the tenant hears when theirs moves).
    List<RealtimePublication> publications = TenantPublications.of(context, tenant);
    String inputs = WorkflowInputs.of(tenant, publications, context);
    WorkflowGate.Why why = gate.why(id, inputs, now);
    WorkflowOutcome outcome = null;
    try {
      if (why != null) {
        registry.counter(WORKFLOW_RUNS, "reason", why.tag()).increment();
        // Before the workflow: the Secret copies it reads may be as old as the interval this count gives.
        pace.count((int) context.getPrimaryCache().keys().count());
        outcome = runWorkflow(tenant, context, publications);
      }
    } catch (RuntimeException e) {
      gate.failed(id, inputs, now);
      runLoopAfterFailure(tenant, context, e);
      throw e;
    }
    Instant loopAt;
    try {
      loopAt = runtimeLoop.run(tenant, context);
    } catch (RuntimeException e) {
      // The workflow's status is not written (the framework writes this failure's): it runs again after the backoff.
      gate.failed(id, inputs, now);
      throw e;
    }
    UpdateControl<RealtimeTenant> control = UpdateControl.noUpdate();
    if (outcome != null) {
      gate.ran(id, inputs, outcome.recheck() ? now.plus(Recheck.after(pace.interval())) : null);
      control = outcome.control();
    }
    Instant next = Recheck.earliest(loopAt, gate.nextDue(id));
    return next == null ? control : control.rescheduleAfter(Duration.ofMillis(Math.max(0, next.toEpochMilli() - now.toEpochMilli())));
  }

  /** The workflow's status write, and whether to look again after the recheck interval. */
  private record WorkflowOutcome(UpdateControl<RealtimeTenant> control, boolean recheck) {
  }

  private WorkflowOutcome runWorkflow(RealtimeTenant tenant, Context<RealtimeTenant> context,
      List<RealtimePublication> publications) {
    WorkflowReconcileResult result;
    try (TenantScope scope = TenantScope.open(context, shared, publications)) {
      // A step's failure leaves here, aggregated: retried with backoff, reported by updateErrorStatus.
      try {
        result = scope.reconcile(workflow.workflow());
      } catch (RuntimeException e) {
        scope.forgetSecrets();
        throw e;
      }
      if (!databaseReady(result)) {
        // The Secret may be what is wrong (a password the database refuses): the next round reads it again.
        scope.forgetSecrets();
      }
    }
    recordLag(tenant, result);
    TenantStatus.Builder status = statuses.from(tenant).publications(publications);
    boolean recheck = report(tenant, result, status);
    return new WorkflowOutcome(statusWriter.write(context, tenant, status.build()), recheck);
  }

  private static boolean databaseReady(WorkflowReconcileResult result) {
    return TenantReconciler.<DatabaseFacts>finding(result, DatabaseDependent.NAME).map(DatabaseFacts::ready).orElse(false);
  }

  /** The status loop still runs when the workflow failed (the database down must not stop scaling). */
  private void runLoopAfterFailure(RealtimeTenant tenant, Context<RealtimeTenant> context, RuntimeException failure) {
    try {
      runtimeLoop.run(tenant, context);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Each step's finding, in the workflow's order, as the status transition it makes. A step after
   * one whose condition did not hold did not run and changes nothing.
   *
   * @return whether to look again after the recheck interval: always, except for a spec only its
   *     author can fix (and whose fix triggers a reconcile by itself)
   */
  private static boolean report(RealtimeTenant tenant, WorkflowReconcileResult result, TenantStatus.Builder status) {
    Optional<Resolved<ConnectionSettings>> credentials = finding(result, CredentialsDependent.NAME);
    if (!credentials.orElseThrow().found()) {
      status.databaseNotReady(credentials.get().reason(), credentials.get().message());
      return !Reasons.INVALID_SPEC.equals(credentials.get().reason());
    }
    Optional<DatabaseFacts> database = finding(result, DatabaseDependent.NAME);
    status.database(database.orElseThrow());
    if (!database.get().ready()) {
      return true;
    }
    // The slot step ran (the database is ready): no slot found means it is gone.
    Optional<SlotState> slot = finding(result, ReplicationSlotDependent.NAME);
    status.slot(slot, SlotNames.forTenant(tenant)).lag(LagBudget.budgetBytes(tenant))
        .failover(ReplicationSlotDependent.failoverAsked(tenant), slot);
    if (!status.slotReady()) {
      return true;
    }
    Optional<Resolved<RuntimeModel>> model = finding(result, RuntimeModelDependent.NAME);
    if (!model.orElseThrow().found()) {
      status.runtimeNotReady(model.get().reason(), model.get().message());
      return true;
    }
    Optional<Integer> readyPods = finding(result, RuntimeDeploymentDependent.NAME);
    status.endpoints(model.get().value().endpoints());
    status.runtimePods(readyPods.orElse(0), model.get().value().minReplicas());
    return true;
  }

  /** The detail of the named step's ready postcondition; empty when the step did not run, or found nothing. */
  @SuppressWarnings("unchecked")
  private static <T> Optional<T> finding(WorkflowReconcileResult result, String step) {
    return (Optional<T>) result.getDependentConditionResult(step, Condition.Type.READY, Object.class);
  }

  /** The slot's lag as the slot step read it, for {@code slipstream_tenant_slot_lag_bytes}. */
  private void recordLag(RealtimeTenant tenant, WorkflowReconcileResult result) {
    Optional<SlotState> slot = finding(result, ReplicationSlotDependent.NAME);
    slot.filter(s -> s.lagBytes() != null).ifPresent(s -> slotLag.record(tenant.getMetadata().getNamespace(),
        tenant.getMetadata().getName(), s.name(), s.lagBytes()));
  }

  @Override
  public List<EventSource<?, RealtimeTenant>> prepareEventSources(EventSourceContext<RealtimeTenant> context) {
    List<EventSource<?, RealtimeTenant>> sources = new ArrayList<>(workflow.eventSources(context));
    var publications = TenantPublications.eventSource(context, waits::waitingForPods);
    waits.watch(workflow.deployments(), publications);
    sources.add(publications);
    sources.add(RuntimeStatusLoop.podEventSource(context));
    return sources;
  }

  /**
   * The database's failure on DatabaseReady with its own reason; anything else (the Kubernetes API
   * refusing one of the runtime's objects) on RuntimeReady, reason ReconcileError. The rest of the
   * status stays as the last reconcile left it, except the slot's lag when the slot step got that far.
   */
  @Override
  public ErrorStatusUpdateControl<RealtimeTenant> updateErrorStatus(RealtimeTenant tenant, Context<RealtimeTenant> context,
      Exception e) {
    if (tenant.isMarkedForDeletion()) {
      // A cleanup that failed: retried with backoff, the status left as the tenant's last reconcile wrote it.
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    context.managedWorkflowAndDependentResourceContext().getWorkflowReconcileResult()
        .ifPresent(result -> recordLag(tenant, result));
    Failure failure = Failure.of(e);
    TenantStatus.Builder status = statuses.from(tenant);
    if (failure.fromDatabase()) {
      status.databaseNotReady(failure.reason(), failure.message());
    } else {
      status.runtimeNotReady(failure.reason(), failure.message());
    }
    return statusWriter.writeError(context, tenant, status.build());
  }

  /** Drops the slot per reclaim policy, through the workflow's one deleting step: the slot's. */
  private DeleteControl cleanup(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    shared.slots().forget(tenant);
    gate.forget(ResourceID.fromResource(tenant));
    runtimeLoop.forget(tenant);
    shared.templates().forget(tenant, new RuntimeNames(tenant.getMetadata().getName()).runtime());
    slotLag.forget(tenant.getMetadata().getNamespace(), tenant.getMetadata().getName());
    ReclaimPolicy policy = tenant.getSpec().getReplication() == null ? null : tenant.getSpec().getReplication().getReclaimPolicy();
    try (TenantScope scope = TenantScope.open(context, shared, List.of())) {
      return reclaim.cleanup(tenant, policy, "replication slot " + SlotNames.forTenant(tenant),
          "it holds WAL until someone drops it", () -> scope.cleanup(workflow.workflow()));
    }
  }
}
