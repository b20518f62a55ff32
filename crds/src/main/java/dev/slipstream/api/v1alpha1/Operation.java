package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A DML operation a publication publishes (its {@code publish} parameter). */
public enum Operation {
  @JsonProperty("insert")
  INSERT,
  @JsonProperty("update")
  UPDATE,
  @JsonProperty("delete")
  DELETE,
  @JsonProperty("truncate")
  TRUNCATE;

  /** The word PostgreSQL's {@code publish} parameter uses. */
  public String sqlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
