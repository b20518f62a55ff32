package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Desired state of a {@link RealtimePublication}: the clauses of CREATE PUBLICATION. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.tables) && size(self.tables) > 0) || (has(self.tablesInSchemas) && size(self.tablesInSchemas) > 0)",
    message = "a publication needs at least one entry in tables or tablesInSchemas")
@ValidationRule(value = "!has(oldSelf.publicationName) || has(self.publicationName)",
    message = "publicationName cannot be removed once set", fieldPath = ".publicationName")
public class RealtimePublicationSpec {

  @Required
  @JsonPropertyDescription("The RealtimeTenant (same namespace) whose database holds the publication. Immutable.")
  private TenantRef tenantRef;

  @Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES)
  @Pattern(Patterns.LOWER_CASE_IDENTIFIER)
  @ValidationRule(value = "self == oldSelf", message = "publicationName is immutable")
  @JsonPropertyDescription("Name of the PostgreSQL publication: a lower-case identifier of at most 63 bytes. "
      + "When empty the operator derives one from the tenant and resource names and reports it in "
      + "status.publicationName. Immutable once set.")
  private String publicationName;

  @JsonPropertyDescription("Tables to publish (FOR TABLE ...), each optionally with a column list and a row filter.")
  private List<PublishedTable> tables;

  @JsonPropertyDescription("Schemas whose tables are all published, now and later (FOR TABLES IN SCHEMA ...). "
      + "Needs PostgreSQL 15 or newer.")
  private List<@Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES) String> tablesInSchemas;

  @Default("[\"insert\", \"update\", \"delete\", \"truncate\"]")
  @JsonPropertyDescription("Operations to publish (WITH (publish = '...')): insert, update, delete, truncate.")
  private List<Operation> operations;

  @Default("false")
  @JsonPropertyDescription("When true the operator runs ALTER TABLE ... REPLICA IDENTITY FULL on the published "
      + "tables, so updates and deletes carry the whole old row (the old record clients see). Costs WAL volume.")
  private Boolean replicaIdentityFull;

  @JsonPropertyDescription("Claim-based row access: a client receives a row of the table only when the row's column "
      + "equals the named claim of its JWT. Tables without a rule are visible to every client of the tenant.")
  private List<AccessRule> access;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the publication when this resource is deleted: Delete runs "
      + "DROP PUBLICATION, Retain keeps it.")
  private ReclaimPolicy reclaimPolicy;

  public TenantRef getTenantRef() {
    return tenantRef;
  }

  public void setTenantRef(TenantRef tenantRef) {
    this.tenantRef = tenantRef;
  }

  public String getPublicationName() {
    return publicationName;
  }

  public void setPublicationName(String publicationName) {
    this.publicationName = publicationName;
  }

  public List<PublishedTable> getTables() {
    return tables;
  }

  public void setTables(List<PublishedTable> tables) {
    this.tables = tables;
  }

  public List<String> getTablesInSchemas() {
    return tablesInSchemas;
  }

  public void setTablesInSchemas(List<String> tablesInSchemas) {
    this.tablesInSchemas = tablesInSchemas;
  }

  public List<Operation> getOperations() {
    return operations;
  }

  public void setOperations(List<Operation> operations) {
    this.operations = operations;
  }

  public Boolean getReplicaIdentityFull() {
    return replicaIdentityFull;
  }

  public void setReplicaIdentityFull(Boolean replicaIdentityFull) {
    this.replicaIdentityFull = replicaIdentityFull;
  }

  public List<AccessRule> getAccess() {
    return access;
  }

  public void setAccess(List<AccessRule> access) {
    this.access = access;
  }

  public ReclaimPolicy getReclaimPolicy() {
    return reclaimPolicy;
  }

  public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) {
    this.reclaimPolicy = reclaimPolicy;
  }
}
