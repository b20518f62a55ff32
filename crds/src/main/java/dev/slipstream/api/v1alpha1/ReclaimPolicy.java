package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens in PostgreSQL to an object Slipstream created when its resource is deleted. */
public enum ReclaimPolicy {
  /** Drop it (DROP PUBLICATION, pg_drop_replication_slot). */
  @JsonProperty("Delete")
  DELETE,
  /** Leave it in the database, for a later tenant or for another consumer. */
  @JsonProperty("Retain")
  RETAIN
}
