package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** The tenant's logical replication slot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(oldSelf.slotName) || has(self.slotName)",
    message = "replication.slotName cannot be removed once set", fieldPath = ".slotName")
public class ReplicationSpec {

  @Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES)
  @Pattern(Patterns.SLOT_NAME)
  @ValidationRule(value = "self == oldSelf",
      message = "replication.slotName is immutable: renaming would abandon the slot and its position")
  @JsonPropertyDescription("Name of the logical replication slot (pgoutput) the runtime streams from: lower-case "
      + "letters, digits and underscores, at most 63 bytes, as PostgreSQL requires. When empty the operator "
      + "derives one from the namespace and tenant name and reports it in status.slot.name. Immutable once set.")
  private String slotName;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the slot when the tenant is deleted: Delete drops it "
      + "(pg_drop_replication_slot), Retain keeps it. A retained slot keeps holding WAL until someone drops it.")
  private ReclaimPolicy reclaimPolicy;

  @Default("1Gi")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Budget of WAL the slot may hold back (pg_current_wal_lsn() - confirmed_flush_lsn), "
      + "as a quantity such as 512Mi or 1Gi. Above it the tenant's LagWithinBudget condition turns False and a "
      + "Warning event is recorded.")
  private Quantity maxLagBytes;

  @Default("30s")
  @Pattern(Patterns.DURATION)
  @Size(max = 32)
  @ValidationRule(value = Patterns.NONZERO_DURATION_RULE, message = Patterns.NONZERO_DURATION_MESSAGE)
  @JsonPropertyDescription("How long the slot may deliver nothing before the runtime writes a heartbeat "
      + "(pg_logical_emit_message, never shown to clients) into the tenant's database, so the slot's position follows "
      + "the server's WAL even while the tenant's tables are idle and the WAL can be recycled. A duration such as 30s "
      + "or 1m.")
  private String heartbeatInterval;

  @Default("false")
  @JsonPropertyDescription("Create the slot as a failover slot (PostgreSQL 17+: pg_replication_slots.failover), "
      + "so that standbys with sync_replication_slots = on keep a synchronized copy and the runtime resumes from it "
      + "after a standby is promoted. Off by default: with synchronized_standby_slots set on the primary, a failover "
      + "slot's changes reach clients only once those standbys have flushed them, so a standby that is down or behind "
      + "stalls the tenant. Read when the slot is created; an existing slot is not changed (the FailoverReady "
      + "condition says when it differs).")
  private Boolean failover;

  public String getSlotName() {
    return slotName;
  }

  public void setSlotName(String slotName) {
    this.slotName = slotName;
  }

  public ReclaimPolicy getReclaimPolicy() {
    return reclaimPolicy;
  }

  public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) {
    this.reclaimPolicy = reclaimPolicy;
  }

  public Quantity getMaxLagBytes() {
    return maxLagBytes;
  }

  public void setMaxLagBytes(Quantity maxLagBytes) {
    this.maxLagBytes = maxLagBytes;
  }

  public String getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public void setHeartbeatInterval(String heartbeatInterval) {
    this.heartbeatInterval = heartbeatInterval;
  }

  public Boolean getFailover() {
    return failover;
  }

  public void setFailover(Boolean failover) {
    this.failover = failover;
  }
}
