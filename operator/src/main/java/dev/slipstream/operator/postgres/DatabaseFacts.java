package dev.slipstream.operator.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * What a tenant's database says about its fitness for logical replication, read in one query by
 * {@link TenantDatabase#check(String)}. {@link #problems()} turns the facts into what is wrong.
 *
 * @param version the server's version
 * @param database the connected database
 * @param walLevel {@code wal_level}
 * @param maxReplicationSlots {@code max_replication_slots}
 * @param replicationSlotsUsed slots that exist (any kind, any database: all count against the limit)
 * @param maxWalSenders {@code max_wal_senders}
 * @param walSendersUsed running WAL senders (physical standbys included)
 * @param role the role connected ({@code current_user})
 * @param roleReplication whether it has REPLICATION
 * @param roleSuperuser whether it is a superuser
 * @param roleCanCreate whether it may CREATE in the database (CREATE PUBLICATION needs it)
 * @param slotName the tenant's slot the check was made for, or null
 * @param slotActive null when that slot does not exist, else whether a backend streams from it
 */
public record DatabaseFacts(
    PostgresVersion version,
    String database,
    String walLevel,
    int maxReplicationSlots,
    int replicationSlotsUsed,
    int maxWalSenders,
    int walSendersUsed,
    String role,
    boolean roleReplication,
    boolean roleSuperuser,
    boolean roleCanCreate,
    String slotName,
    Boolean slotActive) {

  public boolean roleCanReplicate() {
    return roleReplication || roleSuperuser;
  }

  public boolean slotExists() {
    return slotActive != null;
  }

  /** Whether nothing stands in the way. */
  public boolean ready() {
    return problems().isEmpty();
  }

  /** Every problem found, each with a stable reason and a message with the numbers and the fix. */
  public List<DatabaseProblem> problems() {
    List<DatabaseProblem> problems = new ArrayList<>();
    if (!version.atLeast(PostgresVersion.LOGICAL_REPLICATION)) {
      problems.add(new DatabaseProblem(PostgresReasons.POSTGRES_VERSION_TOO_OLD,
          "logical replication needs PostgreSQL 10 or newer; the server is " + version.display()));
    }
    if (!"logical".equals(walLevel)) {
      problems.add(new DatabaseProblem(PostgresReasons.WAL_LEVEL_NOT_LOGICAL, "wal_level is '" + walLevel
          + "'; logical replication needs wal_level = logical (set it in postgresql.conf and restart)"));
    }
    // A slot that already exists needs no free one; one being streamed already has its sender.
    if (!slotExists() && replicationSlotsUsed >= maxReplicationSlots) {
      problems.add(new DatabaseProblem(PostgresReasons.NO_FREE_REPLICATION_SLOTS, "no free replication slot"
          + forSlot() + ": " + replicationSlotsUsed + " of max_replication_slots = " + maxReplicationSlots
          + " are in use; drop an unused slot (see pg_replication_slots) or raise max_replication_slots (needs a restart)"));
    }
    if (!Boolean.TRUE.equals(slotActive) && walSendersUsed >= maxWalSenders) {
      problems.add(new DatabaseProblem(PostgresReasons.NO_FREE_WAL_SENDERS, "no free WAL sender for the runtime: "
          + walSendersUsed + " of max_wal_senders = " + maxWalSenders + " are in use; stop an unused "
          + "replication connection (see pg_stat_replication) or raise max_wal_senders (needs a restart)"));
    }
    if (!roleCanReplicate()) {
      problems.add(new DatabaseProblem(PostgresReasons.ROLE_LACKS_REPLICATION, "role " + role
          + " has neither REPLICATION nor SUPERUSER, and streaming from a replication slot needs one of them: "
          + "ALTER ROLE " + Identifiers.quote(role) + " WITH REPLICATION"));
    }
    if (!roleCanCreate) {
      problems.add(new DatabaseProblem(PostgresReasons.ROLE_CANNOT_CREATE_PUBLICATIONS, "role " + role
          + " may not CREATE in database " + database + ", which CREATE PUBLICATION needs: GRANT CREATE ON DATABASE "
          + Identifiers.quote(database) + " TO " + Identifiers.quote(role)));
    }
    return List.copyOf(problems);
  }

  private String forSlot() {
    return slotName == null ? "" : " for slot " + slotName;
  }
}
