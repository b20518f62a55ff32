package dev.slipstream.operator.postgres;

import java.util.List;

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
 * @param failover whether it is a failover slot, which standbys with {@code sync_replication_slots}
 *     copy; null before PostgreSQL 17
 * @param standbySlots the server's {@code synchronized_standby_slots}, which a failover slot's
 *     changes wait for
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
    Long lagBytes,
    Boolean failover,
    StandbySlots standbySlots) {

  /**
   * The slot the operator wants: logical, {@code pgoutput}, of that name, a failover slot when
   * asked; what {@link TenantDatabase#createSlot} creates.
   */
  public static SlotState wanted(String name, boolean failover) {
    return new SlotState(name, "pgoutput", "logical", null, false, null, null, null, null, null, failover,
        StandbySlots.NONE);
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

  /**
   * The primary's {@code synchronized_standby_slots}: the standbys' physical slots that must have
   * flushed WAL before a failover slot's changes are sent, so that no client sees a change a
   * promoted standby would not have.
   *
   * @param setting the setting as written ({@code ""} when none; null before PostgreSQL 17)
   * @param unusable the names listed that are not physical slots with their WAL (absent, logical,
   *     or lost): PostgreSQL waits for them for ever
   */
  public record StandbySlots(String setting, List<String> unusable) {

    public static final StandbySlots NONE = new StandbySlots(null, List.of());

    public StandbySlots {
      unusable = unusable == null ? List.of() : List.copyOf(unusable);
    }

    /** From the setting and the comma-separated unusable names (null: none). */
    public static StandbySlots of(String setting, String unusable) {
      return new StandbySlots(setting, unusable == null || unusable.isEmpty() ? List.of()
          : List.of(unusable.split(",")));
    }

    /** Whether at least one standby slot is named. */
    public boolean named() {
      return setting != null && !setting.isBlank();
    }
  }
}
