package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a {@link RealtimePublication}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RealtimePublicationStatus {

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready: the publication exists in PostgreSQL as specified; otherwise the message "
      + "carries PostgreSQL's own error.")
  @MapListKey("type")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Name of the PostgreSQL publication.")
  private String publicationName;

  @JsonPropertyDescription("Number of tables the publication contains, schemas expanded.")
  private Integer tableCount;

  @JsonPropertyDescription("The tables the publication contains (pg_publication_tables) and their replica identity.")
  private List<PublishedTableStatus> tables = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getPublicationName() {
    return publicationName;
  }

  public void setPublicationName(String publicationName) {
    this.publicationName = publicationName;
  }

  public Integer getTableCount() {
    return tableCount;
  }

  public void setTableCount(Integer tableCount) {
    this.tableCount = tableCount;
  }

  public List<PublishedTableStatus> getTables() {
    return tables;
  }

  public void setTables(List<PublishedTableStatus> tables) {
    this.tables = tables;
  }
}
