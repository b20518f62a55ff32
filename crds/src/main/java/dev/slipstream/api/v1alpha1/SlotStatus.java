package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The tenant's replication slot, from {@code pg_replication_slots}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SlotStatus {

  @JsonPropertyDescription("Slot name (spec.replication.slotName, or the one the operator derived).")
  private String name;

  @JsonPropertyDescription("Whether a runtime is streaming from the slot right now (pg_replication_slots.active).")
  private Boolean active;

  @JsonPropertyDescription("pg_replication_slots.wal_status: reserved, extended, unreserved or lost. "
      + "lost means the WAL the slot needed is gone; the slot must be recreated and changes were missed.")
  private String walStatus;

  @JsonPropertyDescription("Oldest WAL position the slot still needs (pg_replication_slots.restart_lsn).")
  private String restartLsn;

  @JsonPropertyDescription("Position up to which the runtime has confirmed delivery (confirmed_flush_lsn).")
  private String confirmedFlushLsn;

  @JsonPropertyDescription("Bytes of WAL between the server's current position and confirmedFlushLsn.")
  private Long lagBytes;

  @JsonPropertyDescription("Whether the slot is a failover slot (pg_replication_slots.failover, PostgreSQL 17+): "
      + "standbys with sync_replication_slots = on keep a copy of it. Absent before PostgreSQL 17.")
  private Boolean failover;

  @JsonPropertyDescription("The primary's synchronized_standby_slots setting (PostgreSQL 17+): the physical slots of "
      + "the standbys that must have flushed WAL before a failover slot's changes are sent. Empty when none are set.")
  private String synchronizedStandbySlots;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Boolean getActive() {
    return active;
  }

  public void setActive(Boolean active) {
    this.active = active;
  }

  public String getWalStatus() {
    return walStatus;
  }

  public void setWalStatus(String walStatus) {
    this.walStatus = walStatus;
  }

  public String getRestartLsn() {
    return restartLsn;
  }

  public void setRestartLsn(String restartLsn) {
    this.restartLsn = restartLsn;
  }

  public String getConfirmedFlushLsn() {
    return confirmedFlushLsn;
  }

  public void setConfirmedFlushLsn(String confirmedFlushLsn) {
    this.confirmedFlushLsn = confirmedFlushLsn;
  }

  public Long getLagBytes() {
    return lagBytes;
  }

  public void setLagBytes(Long lagBytes) {
    this.lagBytes = lagBytes;
  }

  public Boolean getFailover() {
    return failover;
  }

  public void setFailover(Boolean failover) {
    this.failover = failover;
  }

  public String getSynchronizedStandbySlots() {
    return synchronizedStandbySlots;
  }

  public void setSynchronizedStandbySlots(String synchronizedStandbySlots) {
    this.synchronizedStandbySlots = synchronizedStandbySlots;
  }
}
