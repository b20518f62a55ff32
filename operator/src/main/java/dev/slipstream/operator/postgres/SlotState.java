package dev.slipstream.operator.postgres;

/**
 * A replication slot as {@code pg_replication_slots} shows it.
 *
 * @param name the slot's name
 * @param plugin its output plugin ({@code pgoutput} for the operator's slots); null for physical slots
 * @param slotType {@code logical} or {@code physical}
 * @param database the database a logical slot belongs to (it streams only that database's changes)
 * @param active whether a backend is streaming from it
 * @param activePid that backend's PID, or null
 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}; null
 *     before PostgreSQL 13
 * @param restartLsn oldest WAL the slot still needs, e.g. {@code 0/15D6A28}
 * @param confirmedFlushLsn position the consumer has confirmed
 * @param lagBytes WAL written since {@code confirmedFlushLsn}: what the slot holds back; null when
 *     the slot has no confirmed position
 */
public record SlotState(
    String name,
    String plugin,
    String slotType,
    String database,
    boolean active,
    Integer activePid,
    String walStatus,
    String restartLsn,
    String confirmedFlushLsn,
    Long lagBytes) {

  /** The slot the operator wants: logical, {@code pgoutput}, of that name; what {@link TenantDatabase#createSlot} creates. */
  public static SlotState wanted(String name) {
    return new SlotState(name, "pgoutput", "logical", null, false, null, null, null, null, null);
  }

  /** The server removed WAL the slot needed: it can no longer stream and must be recreated. */
  public boolean lost() {
    return "lost".equals(walStatus);
  }

  public boolean usesPgoutput() {
    return "logical".equals(slotType) && "pgoutput".equals(plugin);
  }

  /** Whether the runtime can stream from it: a pgoutput slot that is not lost. */
  public boolean streamable() {
    return usesPgoutput() && !lost();
  }
}
