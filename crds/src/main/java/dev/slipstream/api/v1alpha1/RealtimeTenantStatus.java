package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of a {@link RealtimeTenant}. The operator owns every field except
 * {@code runtime.pods[]}, whose entries each runtime pod writes for itself with server-side apply.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RealtimeTenantStatus {

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Summary of the conditions: Pending, Provisioning, Ready, Degraded, Failed or Deleting.")
  private TenantPhase phase;

  @JsonPropertyDescription("Ready, DatabaseReady, SlotReady, PublicationsReady, RuntimeReady and LagWithinBudget.")
  @MapListKey("type")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The replication slot as pg_replication_slots reports it.")
  private SlotStatus slot;

  @JsonPropertyDescription("The runtime pods and their clients.")
  private RuntimeStatus runtime;

  @JsonPropertyDescription("Where clients connect.")
  private Endpoints endpoints;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public TenantPhase getPhase() {
    return phase;
  }

  public void setPhase(TenantPhase phase) {
    this.phase = phase;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public SlotStatus getSlot() {
    return slot;
  }

  public void setSlot(SlotStatus slot) {
    this.slot = slot;
  }

  public RuntimeStatus getRuntime() {
    return runtime;
  }

  public void setRuntime(RuntimeStatus runtime) {
    this.runtime = runtime;
  }

  public Endpoints getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(Endpoints endpoints) {
    this.endpoints = endpoints;
  }
}
