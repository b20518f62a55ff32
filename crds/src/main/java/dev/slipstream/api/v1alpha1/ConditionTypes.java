package dev.slipstream.api.v1alpha1;

/** The condition types Slipstream writes, and what True means for each. */
public final class ConditionTypes {

  /** Tenant: every other condition is True; clients can connect and receive changes. Publication: it exists in PostgreSQL as specified. */
  public static final String READY = "Ready";
  /** The database is reachable with the given credentials and fit for logical replication (wal_level, free slots and senders, REPLICATION role). */
  public static final String DATABASE_READY = "DatabaseReady";
  /** The replication slot exists, uses pgoutput, and its WAL is not lost. */
  public static final String SLOT_READY = "SlotReady";
  /** Every publication referring to the tenant is Ready. */
  public static final String PUBLICATIONS_READY = "PublicationsReady";
  /** The runtime Deployment has its ready replicas. */
  public static final String RUNTIME_READY = "RuntimeReady";
  /** The slot holds back less WAL than spec.replication.maxLagBytes. */
  public static final String LAG_WITHIN_BUDGET = "LagWithinBudget";

  /**
   * Written only when spec.replication.failover is true: the slot is a failover slot and the primary
   * names, in synchronized_standby_slots, standbys' physical slots that exist; a promoted standby
   * would have the slot.
   */
  public static final String FAILOVER_READY = "FailoverReady";

  private ConditionTypes() {
  }
}
