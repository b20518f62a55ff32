package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Row access by JWT claim: a client sees a row of {@code table} only when the row's
 * {@code column} equals its token's {@code claim}. Evaluated in the runtime, never by a query.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessRule {

  @Required
  @Size(min = 1, max = 2 * Patterns.MAX_IDENTIFIER_BYTES + 1)
  @Pattern("^([^.]+\\.)?[^.]+$")
  @JsonPropertyDescription("The table, as schema.table (schema public when omitted).")
  private String table;

  @Required
  @Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES)
  @JsonPropertyDescription("The column of the table compared with the claim.")
  private String column;

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("The JWT claim whose value the column must equal, for example sub.")
  private String claim;

  public AccessRule() {
  }

  public AccessRule(String table, String column, String claim) {
    this.table = table;
    this.column = column;
    this.claim = claim;
  }

  public String getTable() {
    return table;
  }

  public void setTable(String table) {
    this.table = table;
  }

  public String getColumn() {
    return column;
  }

  public void setColumn(String column) {
    this.column = column;
  }

  public String getClaim() {
    return claim;
  }

  public void setClaim(String claim) {
    this.claim = claim;
  }
}
