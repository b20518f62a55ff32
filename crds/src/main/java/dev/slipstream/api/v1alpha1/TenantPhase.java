package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A one-word summary of a tenant's conditions, for the printer column. */
public enum TenantPhase {
  /** Accepted; nothing reconciled yet. */
  @JsonProperty("Pending")
  PENDING,
  /** The database, slot or runtime is being set up. */
  @JsonProperty("Provisioning")
  PROVISIONING,
  /** Streaming: every condition is True. */
  @JsonProperty("Ready")
  READY,
  /** Streaming, but something needs attention (for example lag over budget). */
  @JsonProperty("Degraded")
  DEGRADED,
  /** Not streaming: a condition says why. */
  @JsonProperty("Failed")
  FAILED,
  /** Being deleted; the slot is dropped or retained per reclaimPolicy. */
  @JsonProperty("Deleting")
  DELETING
}
