package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** One table of a publication: {@code TABLE schema.name (columns) WHERE (where)}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PublishedTable {

  @Default("public")
  @Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES)
  @JsonPropertyDescription("Schema of the table, as stored in PostgreSQL (case-sensitive; quoted in SQL).")
  private String schema;

  @Required
  @Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES)
  @JsonPropertyDescription("Name of the table, as stored in PostgreSQL (case-sensitive; quoted in SQL).")
  private String name;

  @JsonPropertyDescription("Column list: only these columns are published. Must include the replica identity "
      + "columns when updates or deletes are published. Needs PostgreSQL 15 or newer.")
  private List<@Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES) String> columns;

  @Size(min = 1, max = 4096)
  @JsonPropertyDescription("Row filter: a SQL boolean expression (the WHERE clause of the publication), for example "
      + "status <> 'draft'. Only rows that match are published. Needs PostgreSQL 15 or newer; PostgreSQL's own "
      + "error about a bad filter is reported in the Ready condition.")
  private String where;

  public PublishedTable() {
  }

  public PublishedTable(String schema, String name) {
    this.schema = schema;
    this.name = name;
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

  public List<String> getColumns() {
    return columns;
  }

  public void setColumns(List<String> columns) {
    this.columns = columns;
  }

  public String getWhere() {
    return where;
  }

  public void setWhere(String where) {
    this.where = where;
  }
}
