package dev.slipstream.operator.tenant.conditions;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.postgres.DatabaseFacts;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.DetailedCondition;

/**
 * Ready postcondition of the database step: the database is fit for logical replication (PostgreSQL
 * 10+, {@code wal_level = logical}, a free slot and WAL sender, a role with REPLICATION and CREATE).
 * Otherwise DatabaseReady=False with the first problem's reason and every problem's message, and the
 * slot is neither created nor checked.
 *
 * <p>Detail: the facts the database reported.
 */
public class DatabaseReady implements DetailedCondition<DatabaseFacts, RealtimeTenant, DatabaseFacts> {

  @Override
  public Result<DatabaseFacts> detailedIsMet(DependentResource<DatabaseFacts, RealtimeTenant> database,
      RealtimeTenant tenant, Context<RealtimeTenant> context) {
    DatabaseFacts facts = database.getSecondaryResource(tenant, context).orElseThrow();
    return Result.withResult(facts.ready(), facts);
  }
}
