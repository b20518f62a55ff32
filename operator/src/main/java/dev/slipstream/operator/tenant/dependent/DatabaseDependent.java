package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.postgres.DatabaseFacts;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The tenant's database as it stands for logical replication, read in one query: the server's
 * version, {@code wal_level}, free replication slots and WAL senders (the tenant's own slot and
 * stream are not counted against it), the role's REPLICATION and CREATE. Read-only.
 *
 * <p>Opens the reconcile's session ({@link TenantScope#database()}). A database that cannot be
 * reached or refuses the credentials throws a {@code DatabaseException}: the reconcile is retried
 * with backoff. A database that answers but is unfit is a finding, not a failure: rechecked.
 */
public class DatabaseDependent extends ObservedDependent<DatabaseFacts> {

  public static final String NAME = "database";

  public DatabaseDependent() {
    super(DatabaseFacts.class);
  }

  @Override
  protected DatabaseFacts observe(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return TenantScope.of(context).database().check(SlotNames.forTenant(tenant));
  }
}
