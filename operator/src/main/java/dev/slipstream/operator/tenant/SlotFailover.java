package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.operator.postgres.SlotState;

/**
 * The FailoverReady condition, for a tenant whose {@code spec.replication.failover} is true: would
 * the slot survive the promotion of a standby? From the primary the operator can see two of the
 * three things that must hold: the slot is a failover slot, and {@code synchronized_standby_slots}
 * names standbys' physical slots, so that no change reaches a client before those standbys have
 * it. The third, that a standby has synchronized the slot ({@code synced}), shows only on the
 * standby; the True message says where to look.
 */
final class SlotFailover {

  /** spec.replication.failover is true and the server is older than PostgreSQL 17. */
  static final String NOT_SUPPORTED = "FailoverNotSupported";
  /** The slot is not a failover slot, and changing it in place failed (the operator's log says why). */
  static final String SLOT_NOT_FAILOVER = "SlotNotFailover";
  /** synchronized_standby_slots is empty on the primary. */
  static final String NO_STANDBY_SLOTS = "NoSynchronizedStandbySlots";
  /** synchronized_standby_slots names a slot that is not a physical slot with its WAL: delivery stalls. */
  static final String STANDBY_SLOT_UNUSABLE = "StandbySlotUnusable";

  private SlotFailover() {
  }

  /** The condition for the slot as found on a server of {@code serverVersion}. */
  static Condition condition(SlotState slot, String serverVersion) {
    String name = slot.name();
    if (slot.failover() == null) {
      return Condition.isFalse(ConditionTypes.FAILOVER_READY, NOT_SUPPORTED, "spec.replication.failover is true, but "
          + (serverVersion == null ? "this server" : "PostgreSQL " + serverVersion) + " has no failover slots (they need PostgreSQL 17): replication slot " + name
          + " exists on this server only, and a failover to a standby loses it. Upgrade to PostgreSQL 17, or set "
          + "spec.replication.failover to false");
    }
    if (!slot.failover()) {
      return Condition.isFalse(ConditionTypes.FAILOVER_READY, SLOT_NOT_FAILOVER, "spec.replication.failover is true, "
          + "but replication slot " + name + " is not a failover slot: standbys do not copy it, and a failover loses it. "
          + "The operator changes it in place (ALTER_REPLICATION_SLOT " + name + " ( FAILOVER true ), ending the "
          + "runtime's stream for a moment) and tries again at each recheck; its log says why the last attempt failed");
    }
    SlotState.StandbySlots standbys = slot.standbySlots();
    if (!standbys.named()) {
      return Condition.isFalse(ConditionTypes.FAILOVER_READY, NO_STANDBY_SLOTS, "replication slot " + name + " is a "
          + "failover slot, but synchronized_standby_slots is empty: clients can receive changes a standby does not "
          + "have yet, and after its promotion the slot's copy there may be behind them or missing. Set "
          + "synchronized_standby_slots on the primary to the standbys' physical slots and reload");
    }
    if (!standbys.unusable().isEmpty()) {
      return Condition.isFalse(ConditionTypes.FAILOVER_READY, STANDBY_SLOT_UNUSABLE, "synchronized_standby_slots ("
          + standbys.setting() + ") names " + String.join(", ", standbys.unusable()) + ", not a physical replication "
          + "slot with its WAL on this server (absent, logical or lost): PostgreSQL holds back the changes of failover "
          + "slot " + name + " until it catches up, so clients receive nothing. Create the standby's physical slot or "
          + "remove the name from synchronized_standby_slots");
    }
    return Condition.isTrue(ConditionTypes.FAILOVER_READY, Reasons.AVAILABLE, "replication slot " + name + " is a "
        + "failover slot, and its changes are sent only once the standbys of synchronized_standby_slots ("
        + standbys.setting() + ") have them. A standby with sync_replication_slots = on keeps a copy; on the standby, "
        + "pg_replication_slots shows it with synced = true");
  }
}
