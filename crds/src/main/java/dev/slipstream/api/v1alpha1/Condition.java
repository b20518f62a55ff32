package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/**
 * One aspect of a resource's state, in the shape of Kubernetes' {@code metav1.Condition}.
 * Types and reasons are constants in {@link ConditionTypes} and {@link Reasons}; use
 * {@link Conditions#set} to change a list of them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {

  /** The three values of {@link #getStatus()}. */
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  @Required
  @JsonPropertyDescription("Which aspect this condition describes, in CamelCase: Ready, DatabaseReady, SlotReady, "
      + "PublicationsReady, RuntimeReady, LagWithinBudget.")
  private String type;

  @Required
  @JsonPropertyDescription("True, False or Unknown.")
  private String status;

  @JsonPropertyDescription("Machine-readable CamelCase reason for the last transition.")
  private String reason;

  @JsonPropertyDescription("Human-readable details: what is wrong and what to do about it.")
  private String message;

  @JsonPropertyDescription("When status last changed (RFC 3339). Unchanged while only reason or message change.")
  private String lastTransitionTime;

  @JsonPropertyDescription("metadata.generation of the resource this condition was computed from.")
  private Long observedGeneration;

  public Condition() {
  }

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
  }

  public static Condition isTrue(String type, String reason, String message) {
    return new Condition(type, TRUE, reason, message);
  }

  public static Condition isFalse(String type, String reason, String message) {
    return new Condition(type, FALSE, reason, message);
  }

  public static Condition isUnknown(String type, String reason, String message) {
    return new Condition(type, UNKNOWN, reason, message);
  }

  public boolean hasStatus(String expected) {
    return expected.equals(status);
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c
        && Objects.equals(type, c.type) && Objects.equals(status, c.status)
        && Objects.equals(reason, c.reason) && Objects.equals(message, c.message)
        && Objects.equals(lastTransitionTime, c.lastTransitionTime)
        && Objects.equals(observedGeneration, c.observedGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
  }

  @Override
  public String toString() {
    return type + "=" + status + " (" + reason + "): " + message;
  }
}
