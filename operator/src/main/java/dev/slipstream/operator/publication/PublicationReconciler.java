package dev.slipstream.operator.publication;

import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimePublicationStatus;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.model.PublicationNames;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.postgres.DesiredPublication;
import dev.slipstream.operator.postgres.IdleSessions;
import dev.slipstream.operator.postgres.PublicationChange;
import dev.slipstream.operator.postgres.TenantDatabase;
import dev.slipstream.operator.reconcile.Failure;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.operator.reconcile.OwnFinalizer;
import dev.slipstream.operator.reconcile.Recheck;
import dev.slipstream.operator.reconcile.ReclaimPolicyCleanup;
import dev.slipstream.operator.reconcile.SecretCache;
import dev.slipstream.operator.reconcile.StatusWriter;
import dev.slipstream.operator.reconcile.TenantConnections;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one PostgreSQL publication as a {@link RealtimePublication} describes it: CREATE or ALTER
 * on every change, DROP on deletion when {@code reclaimPolicy: Delete}.
 *
 * <p>A Ready publication is looked at again every {@code SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL}
 * (5 minutes), one that is not every {@code SLIPSTREAM_RECHECK_INTERVAL}, both plus up to a tenth
 * ({@link Recheck}).
 *
 * <p>Three kinds of trouble, three treatments. A missing tenant or Secret is a Ready=False
 * condition and a later look (only its creation fixes it). A failure in the database (unreachable,
 * PostgreSQL's own error) is thrown so that the framework retries with exponential backoff, capped;
 * {@link #updateErrorStatus} puts PostgreSQL's reason and message in the condition meanwhile. A spec
 * that cannot be acted on is reported and waits for the next change.
 */
@ControllerConfiguration(name = PublicationReconciler.NAME, fieldManager = OperatorConfig.FIELD_MANAGER,
    triggerReconcilerOnAllEvents = true)
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class PublicationReconciler implements Reconciler<RealtimePublication> {

  public static final String NAME = "realtimepublication";
  /**
   * The finalizer that holds a publication until {@link #cleanup} has run: the name JOSDK gives a
   * {@code Cleaner}'s, which publications made by earlier versions carry.
   */
  public static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(RealtimePublication.class);

  private static final Logger LOG = LoggerFactory.getLogger(PublicationReconciler.class);

  private final PublicationStatus statuses = new PublicationStatus();
  private final OwnFinalizer<RealtimePublication> finalizer = new OwnFinalizer<>(FINALIZER);
  private final StatusWriter<RealtimePublication, RealtimePublicationStatus> statusWriter =
      new StatusWriter<>(RealtimePublication::new, PublicationStatus::same, RealtimePublicationStatus::getConditions);
  private final Duration recheckInterval;
  private final Duration readyRecheckInterval;
  private final ReclaimPolicyCleanup reclaim;
  private final IdleSessions sessions;
  private final SecretCache secrets;

  public PublicationReconciler() {
    this(OperatorConfig.defaults());
  }

  public PublicationReconciler(OperatorConfig config) {
    this(config, IdleSessions.forReconcileThreads(config.reconcileThreads()));
  }

  /** @param sessions where sessions to tenant databases wait between reconciles (shared with the tenants') */
  public PublicationReconciler(OperatorConfig config, IdleSessions sessions) {
    this(config, sessions, new SecretCache(config.recheckInterval()));
  }

  /** @param secrets the Secrets tenants name, read once per recheck interval (shared with the tenants') */
  public PublicationReconciler(OperatorConfig config, IdleSessions sessions, SecretCache secrets) {
    this.sessions = sessions;
    this.secrets = secrets;
    this.recheckInterval = config.recheckInterval();
    this.readyRecheckInterval = config.publicationRecheckInterval();
    this.reclaim = new ReclaimPolicyCleanup(recheckInterval);
  }

  @Override
  public List<EventSource<?, RealtimePublication>> prepareEventSources(EventSourceContext<RealtimePublication> context) {
    return List.of(PublicationTenants.eventSource(context));
  }

  /**
   * Every event of a publication comes here ({@code triggerReconcilerOnAllEvents}), deletion too,
   * so that the finalizer is added in the round that creates the publication ({@link OwnFinalizer}).
   */
  @Override
  public UpdateControl<RealtimePublication> reconcile(RealtimePublication publication, Context<RealtimePublication> context) {
    return finalizer.reconcile(publication, context, this::apply, this::cleanup);
  }

  private UpdateControl<RealtimePublication> apply(RealtimePublication publication, Context<RealtimePublication> context) {
    DesiredPublication desired;
    try {
      desired = DesiredPublication.from(publication.getSpec(), PublicationNames.forPublication(publication));
    } catch (IllegalArgumentException | NullPointerException e) {
      // Only a spec change can fix this, and a spec change triggers a reconcile by itself.
      return statusWriter.write(context, publication, statuses.notReady(publication, Reasons.INVALID_SPEC, e.getMessage()));
    }
    ConnectionSettings settings;
    try {
      settings = TenantConnections.resolve(context.getClient(), PublicationTenants.of(context, publication), secrets);
    } catch (MissingInputException e) {
      return statusWriter.write(context, publication, statuses.notReady(publication, e.reason(), e.getMessage()))
          .rescheduleAfter(Recheck.after(recheckInterval));
    } catch (InvalidTenantException e) {
      return statusWriter.write(context, publication, statuses.notReady(publication, Reasons.DEPENDENCY_NOT_READY,
          "tenant " + publication.getSpec().getTenantRef().getName() + " is invalid: " + e.getMessage()))
          .rescheduleAfter(Recheck.after(recheckInterval));
    }
    var owner = PublicationClaims.ownerOtherThan(context, publication, desired.name());
    if (owner.isPresent()) {
      // Rechecked: the owner may be deleted or renamed, and then this one takes over.
      return statusWriter.write(context, publication, statuses.notReady(publication, PublicationClaims.PUBLICATION_CONFLICT,
          PublicationClaims.conflictMessage(owner.get(), desired.name())))
          .rescheduleAfter(Recheck.after(recheckInterval));
    }
    // A DatabaseException leaves here: retried with backoff, reported by updateErrorStatus.
    try (TenantDatabase database = TenantDatabase.open(settings, sessions)) {
      PublicationChange change = database.apply(desired);
      if (change.changed()) {
        LOG.info("{}/{}: publication {} changed: {}", publication.getMetadata().getNamespace(),
            publication.getMetadata().getName(), desired.name(), change.statements());
      }
      // Ready: only someone altering the publication by hand changes it now, and it carries no lag.
      return statusWriter.write(context, publication, statuses.ready(publication, change.state()))
          .rescheduleAfter(Recheck.after(readyRecheckInterval));
    }
  }

  @Override
  public ErrorStatusUpdateControl<RealtimePublication> updateErrorStatus(
      RealtimePublication publication, Context<RealtimePublication> context, Exception e) {
    Failure failure = Failure.of(e);
    // The database may have refused the credentials: the next round reads them again.
    context.getSecondaryResource(RealtimeTenant.class).ifPresent(tenant -> TenantConnections.forget(tenant, secrets));
    return statusWriter.writeError(context, publication, statuses.notReady(publication, failure.reason(), failure.message()));
  }

  /** Drops the publication per reclaim policy, unless an older resource of the tenant owns it. */
  DeleteControl cleanup(RealtimePublication publication, Context<RealtimePublication> context) {
    String name = publication.getStatus() != null && publication.getStatus().getPublicationName() != null
        ? publication.getStatus().getPublicationName() : PublicationNames.forPublication(publication);
    return reclaim.cleanup(publication, publication.getSpec().getReclaimPolicy(), "publication " + name, "", () -> {
      var owner = PublicationClaims.ownerOtherThan(context, publication, name);
      if (owner.isPresent()) {
        LOG.info("{}/{}: not dropping publication {}: it belongs to {}", publication.getMetadata().getNamespace(),
            publication.getMetadata().getName(), name, owner.get().getMetadata().getName());
        return;
      }
      ConnectionSettings settings = TenantConnections.resolve(context.getClient(),
          PublicationTenants.of(context, publication), secrets);
      try (TenantDatabase database = TenantDatabase.open(settings, sessions)) {
        database.dropPublication(name);
      }
    });
  }
}
