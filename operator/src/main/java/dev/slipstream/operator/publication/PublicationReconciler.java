package dev.slipstream.operator.publication;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.PublishedTableStatus;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimePublicationStatus;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReclaimPolicy;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.model.PublicationNames;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.postgres.DatabaseException;
import dev.slipstream.operator.postgres.DesiredPublication;
import dev.slipstream.operator.postgres.PublicationChange;
import dev.slipstream.operator.postgres.PublicationState;
import dev.slipstream.operator.postgres.TenantDatabase;
import dev.slipstream.operator.tenant.ConditionEvents;
import dev.slipstream.operator.tenant.MissingInputException;
import dev.slipstream.operator.tenant.TenantConnections;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one PostgreSQL publication as a {@link RealtimePublication} describes it: CREATE or ALTER
 * on every change, DROP on deletion when {@code reclaimPolicy: Delete}.
 *
 * <p>Three kinds of trouble, three treatments. A missing tenant or Secret is a Ready=False
 * condition and a later look (only its creation fixes it). A failure in the database (unreachable,
 * PostgreSQL's own error) is thrown so that the framework retries with exponential backoff, capped;
 * {@link #updateErrorStatus} puts PostgreSQL's reason and message in the condition meanwhile. A spec
 * that cannot be acted on is reported and waits for the next change.
 */
@ControllerConfiguration(name = PublicationReconciler.NAME, fieldManager = OperatorConfig.FIELD_MANAGER)
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class PublicationReconciler implements Reconciler<RealtimePublication>, Cleaner<RealtimePublication> {

  public static final String NAME = "realtimepublication";

  private static final Logger LOG = LoggerFactory.getLogger(PublicationReconciler.class);

  private final Conditions conditions = Conditions.withSystemClock();
  private final Duration recheckInterval;

  public PublicationReconciler() {
    this(OperatorConfig.defaults());
  }

  public PublicationReconciler(OperatorConfig config) {
    this.recheckInterval = config.recheckInterval();
  }

  @Override
  public UpdateControl<RealtimePublication> reconcile(RealtimePublication publication, Context<RealtimePublication> context) {
    DesiredPublication desired;
    try {
      desired = DesiredPublication.from(publication.getSpec(), PublicationNames.forPublication(publication));
    } catch (IllegalArgumentException | NullPointerException e) {
      // Only a spec change can fix this, and a spec change triggers a reconcile by itself.
      return patchIfChanged(context, publication, notReady(publication, Reasons.INVALID_SPEC, e.getMessage()));
    }
    ConnectionSettings settings;
    try {
      settings = TenantConnections.resolve(context.getClient(), tenantOf(publication, context));
    } catch (MissingInputException e) {
      return patchIfChanged(context, publication, notReady(publication, e.reason(), e.getMessage())).rescheduleAfter(recheckInterval);
    } catch (InvalidTenantException e) {
      return patchIfChanged(context, publication, notReady(publication, Reasons.DEPENDENCY_NOT_READY,
          "tenant " + publication.getSpec().getTenantRef().getName() + " is invalid: " + e.getMessage()))
          .rescheduleAfter(recheckInterval);
    }
    var owner = PublicationClaims.ownerOtherThan(context.getClient(), publication, desired.name());
    if (owner.isPresent()) {
      // Rechecked: the owner may be deleted or renamed, and then this one takes over.
      return patchIfChanged(context, publication, notReady(publication, PublicationClaims.PUBLICATION_CONFLICT,
          PublicationClaims.conflictMessage(owner.get(), desired.name()))).rescheduleAfter(recheckInterval);
    }
    // A DatabaseException leaves here: retried with backoff, reported by updateErrorStatus.
    try (TenantDatabase database = TenantDatabase.open(settings)) {
      PublicationChange change = database.apply(desired);
      if (change.changed()) {
        LOG.info("{}/{}: publication {} changed: {}", publication.getMetadata().getNamespace(),
            publication.getMetadata().getName(), desired.name(), change.statements());
      }
      return patchIfChanged(context, publication, ready(publication, change.state())).rescheduleAfter(recheckInterval);
    }
  }

  @Override
  public ErrorStatusUpdateControl<RealtimePublication> updateErrorStatus(
      RealtimePublication publication, Context<RealtimePublication> context, Exception e) {
    RealtimePublicationStatus status = e instanceof DatabaseException failure
        ? notReady(publication, failure.reason(), failure.getMessage())
        : notReady(publication, "ReconcileError", String.valueOf(e.getMessage()));
    if (sameStatus(status, publication.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    recordTransitions(context, publication, status);
    return ErrorStatusUpdateControl.patchStatus(statusPatch(publication, status));
  }

  @Override
  public DeleteControl cleanup(RealtimePublication publication, Context<RealtimePublication> context) {
    String name = publication.getStatus() != null && publication.getStatus().getPublicationName() != null
        ? publication.getStatus().getPublicationName() : PublicationNames.forPublication(publication);
    if (publication.getSpec().getReclaimPolicy() == ReclaimPolicy.RETAIN) {
      LOG.info("{}/{}: keeping publication {} (reclaimPolicy Retain)", publication.getMetadata().getNamespace(),
          publication.getMetadata().getName(), name);
      return DeleteControl.defaultDelete();
    }
    var owner = PublicationClaims.ownerOtherThan(context.getClient(), publication, name);
    if (owner.isPresent()) {
      LOG.info("{}/{}: not dropping publication {}: it belongs to {}", publication.getMetadata().getNamespace(),
          publication.getMetadata().getName(), name, owner.get().getMetadata().getName());
      return DeleteControl.defaultDelete();
    }
    try {
      ConnectionSettings settings = TenantConnections.resolve(context.getClient(), tenantOf(publication, context));
      try (TenantDatabase database = TenantDatabase.open(settings)) {
        database.dropPublication(name);
      }
      return DeleteControl.defaultDelete();
    } catch (MissingInputException | InvalidTenantException | DatabaseException e) {
      if (forced(publication)) {
        LOG.warn("{}/{}: publication {} could not be dropped ({}); deleting anyway as {} asks",
            publication.getMetadata().getNamespace(), publication.getMetadata().getName(), name, e.getMessage(),
            OperatorConfig.FORCE_DELETE_ANNOTATION);
        return DeleteControl.defaultDelete();
      }
      LOG.warn("{}/{}: cannot drop publication {} yet: {}; set the annotation {}=true to delete without dropping it",
          publication.getMetadata().getNamespace(), publication.getMetadata().getName(), name, e.getMessage(),
          OperatorConfig.FORCE_DELETE_ANNOTATION);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(recheckInterval);
    }
  }

  private static RealtimeTenant tenantOf(RealtimePublication publication, Context<RealtimePublication> context) {
    String namespace = publication.getMetadata().getNamespace();
    String tenantName = publication.getSpec().getTenantRef().getName();
    RealtimeTenant tenant = context.getClient().resources(RealtimeTenant.class).inNamespace(namespace)
        .withName(tenantName).get();
    if (tenant == null) {
      throw new MissingInputException(MissingInputException.TENANT_NOT_FOUND,
          "RealtimeTenant " + namespace + "/" + tenantName + " (spec.tenantRef) does not exist");
    }
    return tenant;
  }

  private RealtimePublicationStatus ready(RealtimePublication publication, PublicationState state) {
    RealtimePublicationStatus status = baseStatus(publication);
    status.setPublicationName(state.name());
    status.setTables(state.tables().stream()
        .map(t -> new PublishedTableStatus(t.table().schema(), t.table().name(), t.replicaIdentity().statusName()))
        .toList());
    status.setTableCount(state.tables().size());
    status.setConditions(conditions.set(status.getConditions(), Condition.isTrue(ConditionTypes.READY, Reasons.AVAILABLE,
        "publication " + state.name() + " publishes " + state.tables().size() + " table(s)"),
        publication.getMetadata().getGeneration()));
    return status;
  }

  private RealtimePublicationStatus notReady(RealtimePublication publication, String reason, String message) {
    RealtimePublicationStatus status = baseStatus(publication);
    if (status.getPublicationName() == null) {
      try {
        status.setPublicationName(PublicationNames.forPublication(publication));
      } catch (RuntimeException e) {
        // The spec is invalid; the condition says so.
      }
    }
    status.setConditions(conditions.set(status.getConditions(), Condition.isFalse(ConditionTypes.READY, reason, message),
        publication.getMetadata().getGeneration()));
    return status;
  }

  /** The current status, copied, with observedGeneration moved on. */
  private static RealtimePublicationStatus baseStatus(RealtimePublication publication) {
    RealtimePublicationStatus current = publication.getStatus();
    RealtimePublicationStatus status = new RealtimePublicationStatus();
    if (current != null) {
      status.setPublicationName(current.getPublicationName());
      status.setTableCount(current.getTableCount());
      status.setTables(current.getTables() == null ? List.of() : List.copyOf(current.getTables()));
      status.setConditions(current.getConditions() == null ? List.of() : List.copyOf(current.getConditions()));
    }
    status.setObservedGeneration(publication.getMetadata().getGeneration());
    return status;
  }

  private static UpdateControl<RealtimePublication> patchIfChanged(Context<RealtimePublication> context,
      RealtimePublication publication, RealtimePublicationStatus status) {
    if (sameStatus(status, publication.getStatus())) {
      return UpdateControl.noUpdate();
    }
    recordTransitions(context, publication, status);
    return UpdateControl.patchStatus(statusPatch(publication, status));
  }

  private static void recordTransitions(Context<RealtimePublication> context, RealtimePublication publication,
      RealtimePublicationStatus next) {
    ConditionEvents.recordTransitions(context.getClient(), publication,
        publication.getStatus() == null ? null : publication.getStatus().getConditions(), next.getConditions());
  }

  /**
   * A server-side apply patch that holds only the identity and the status: the operator's field
   * manager owns exactly what it writes, and no resourceVersion makes it conflict with others.
   */
  static RealtimePublication statusPatch(RealtimePublication publication, RealtimePublicationStatus status) {
    RealtimePublication patch = new RealtimePublication();
    patch.setMetadata(new ObjectMetaBuilder().withName(publication.getMetadata().getName())
        .withNamespace(publication.getMetadata().getNamespace()).build());
    patch.setSpec(null);
    patch.setStatus(status);
    return patch;
  }

  private static boolean sameStatus(RealtimePublicationStatus a, RealtimePublicationStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && Objects.equals(a.getPublicationName(), b.getPublicationName())
        && Objects.equals(a.getTableCount(), b.getTableCount())
        && Objects.equals(a.getConditions(), b.getConditions())
        && Objects.equals(tableKeys(a), tableKeys(b));
  }

  private static List<String> tableKeys(RealtimePublicationStatus status) {
    return status.getTables() == null ? List.of() : status.getTables().stream()
        .map(t -> t.getSchema() + "." + t.getName() + ":" + t.getReplicaIdentity()).toList();
  }

  private static boolean forced(RealtimePublication publication) {
    return publication.getMetadata().getAnnotations() != null
        && "true".equalsIgnoreCase(publication.getMetadata().getAnnotations().get(OperatorConfig.FORCE_DELETE_ANNOTATION));
  }
}
