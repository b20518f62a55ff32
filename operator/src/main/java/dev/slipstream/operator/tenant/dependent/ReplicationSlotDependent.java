package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.postgres.DatabaseException;
import dev.slipstream.operator.postgres.SlotState;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's logical replication slot ({@code pgoutput}), as {@code pg_replication_slots} shows it
 * at each reconcile: an external dependent, in the manner of JOSDK's {@code mysql-schema} sample,
 * read through the reconcile's session to the database.
 *
 * <ul>
 *   <li><b>Create</b> when the tenant never had a slot ({@link SlotHistory}), as a failover slot when
 *       {@code spec.replication.failover} asks (PostgreSQL 17+). A slot the tenant had
 *       that is gone is <em>not</em> recreated: changes made since were missed, SlotReady says
 *       SlotLost, and only {@value SlotHistory#RECREATE_SLOT_ANNOTATION}{@code : "true"} brings a new one.
 *   <li><b>Update</b> a slot PostgreSQL lost ({@code wal_status = lost}) when a new one was asked
 *       for: it is dropped and created again. And a slot whose failover flag differs from
 *       {@code spec.replication.failover} (PostgreSQL 17+): changed in place, keeping its position
 *       (the runtime's stream is ended for a moment); if that fails, the slot stays as it is, the
 *       FailoverReady condition says so, and the next recheck tries again.
 *   <li><b>Delete</b> on cleanup ({@code reclaimPolicy: Delete}), terminating a backend still
 *       streaming from it.
 * </ul>
 */
public class ReplicationSlotDependent extends ObservedDependent<SlotState>
    implements Creator<SlotState, RealtimeTenant>, Updater<SlotState, RealtimeTenant>, Deleter<RealtimeTenant> {

  public static final String NAME = "slot";

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationSlotDependent.class);

  public ReplicationSlotDependent() {
    super(SlotState.class);
  }

  @Override
  protected SlotState observe(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return TenantScope.of(context).database().slot(SlotNames.forTenant(tenant)).orElse(null);
  }

  @Override
  protected SlotState desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return SlotState.wanted(SlotNames.forTenant(tenant), failoverAsked(tenant));
  }

  /** {@code spec.replication.failover}: false when absent (the CRD's default). */
  public static boolean failoverAsked(RealtimeTenant tenant) {
    return tenant.getSpec() != null && tenant.getSpec().getReplication() != null
        && Boolean.TRUE.equals(tenant.getSpec().getReplication().getFailover());
  }

  @Override
  protected ReconcileResult<SlotState> reconcile(RealtimeTenant tenant, SlotState actual, Context<RealtimeTenant> context) {
    if (actual == null && !TenantScope.of(context).shared().slots().mayCreate(tenant, SlotNames.forTenant(tenant))) {
      return ReconcileResult.noOperation(null);
    }
    return super.reconcile(tenant, actual, context);
  }

  @Override
  public SlotState create(SlotState wanted, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    LOG.info("{}/{}: creating replication slot {}", tenant.getMetadata().getNamespace(), tenant.getMetadata().getName(),
        wanted.name());
    TenantScope scope = TenantScope.of(context);
    SlotState created = scope.database().createSlot(wanted.name(), Boolean.TRUE.equals(wanted.failover()));
    scope.shared().slots().created(tenant, wanted.name());
    return created;
  }

  /** A lost slot the tenant asked to replace, or a slot whose failover flag is not the one asked for. */
  @Override
  public Result<SlotState> match(SlotState actual, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return Result.nonComputed(!(actual.lost() && SlotHistory.recreateRequested(tenant)) && !failoverDiffers(actual, tenant));
  }

  /** Whether the server has failover slots (the flag is known) and the slot's is not the one asked for. */
  private static boolean failoverDiffers(SlotState actual, RealtimeTenant tenant) {
    return actual.failover() != null && actual.streamable() && actual.failover() != failoverAsked(tenant);
  }

  @Override
  public SlotState update(SlotState actual, SlotState wanted, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    if (!actual.lost()) {
      return changeFailover(actual, tenant, context);
    }
    SlotState lost = actual;
    LOG.warn("{}/{}: dropping lost replication slot {} to recreate it, as {} asks", tenant.getMetadata().getNamespace(),
        tenant.getMetadata().getName(), lost.name(), SlotHistory.RECREATE_SLOT_ANNOTATION);
    TenantScope.of(context).database().dropSlot(lost.name());
    return create(wanted, tenant, context);
  }

  /**
   * Changes the failover flag in place; a failure leaves the slot streaming as it was (FailoverReady
   * says what is wrong) rather than failing the whole reconcile, and the next recheck tries again.
   */
  private SlotState changeFailover(SlotState actual, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    boolean asked = failoverAsked(tenant);
    try {
      return TenantScope.of(context).database().setFailover(actual.name(), asked);
    } catch (DatabaseException e) {
      LOG.warn("{}/{}: could not set failover = {} on replication slot {}: {}", tenant.getMetadata().getNamespace(),
          tenant.getMetadata().getName(), asked, actual.name(), e.getMessage());
      return actual;
    }
  }

  @Override
  protected void handleDelete(RealtimeTenant tenant, SlotState actual, Context<RealtimeTenant> context) {
    if (actual != null) {
      TenantScope.of(context).database().dropSlot(actual.name());
    }
  }
}
