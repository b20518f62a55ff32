package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A table the publication contains, as PostgreSQL reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PublishedTableStatus {

  @JsonPropertyDescription("Schema of the table.")
  private String schema;

  @JsonPropertyDescription("Name of the table.")
  private String name;

  @JsonPropertyDescription("REPLICA IDENTITY of the table: default, full, index or nothing. Updates and deletes "
      + "carry the whole old row only with full.")
  private String replicaIdentity;

  public PublishedTableStatus() {
  }

  public PublishedTableStatus(String schema, String name, String replicaIdentity) {
    this.schema = schema;
    this.name = name;
    this.replicaIdentity = replicaIdentity;
  }

  public String getSchema() {
    return schema;
  }

  public void setSchema(String schema) {
    this.schema = schema;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getReplicaIdentity() {
    return replicaIdentity;
  }

  public void setReplicaIdentity(String replicaIdentity) {
    this.replicaIdentity = replicaIdentity;
  }
}
