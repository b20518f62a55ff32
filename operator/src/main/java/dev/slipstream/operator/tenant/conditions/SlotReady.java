package dev.slipstream.operator.tenant.conditions;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.postgres.SlotState;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.DetailedCondition;

/**
 * Ready postcondition of the slot step: the tenant's slot exists, is a logical {@code pgoutput} slot,
 * and PostgreSQL has not lost it. Otherwise SlotReady=False (SlotLost: gone or {@code wal_status
 * lost}, changes were missed; SlotNotPgoutput) and the runtime's objects are left as they are.
 *
 * <p>Detail: the slot, or none when it does not exist.
 */
public class SlotReady implements DetailedCondition<SlotState, RealtimeTenant, SlotState> {

  @Override
  public Result<SlotState> detailedIsMet(DependentResource<SlotState, RealtimeTenant> slot, RealtimeTenant tenant,
      Context<RealtimeTenant> context) {
    SlotState state = slot.getSecondaryResource(tenant, context).orElse(null);
    return Result.withResult(state != null && state.streamable(), state);
  }
}
