package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** Desired state of a {@link RealtimeTenant}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RealtimeTenantSpec {

  @Required
  @JsonPropertyDescription("The tenant's PostgreSQL database: where it is and how to log in. The role needs the "
      + "REPLICATION attribute (or superuser) and must be allowed to create publications on the published tables.")
  private DatabaseSpec database;

  @Default("{}")
  @JsonPropertyDescription("The logical replication slot the runtime streams from.")
  private ReplicationSpec replication;

  @Default("{}")
  @JsonPropertyDescription("How the tenant's runtime pods run and scale.")
  private RuntimeSpec runtime;

  @JsonPropertyDescription("How clients authenticate. Without it, clients connect without a token and private "
      + "channels and claim-based row access are unavailable.")
  private AuthSpec auth;

  @Default("{}")
  @JsonPropertyDescription("Per-tenant limits enforced by the runtime; a client that exceeds one gets an error "
      + "naming the limit.")
  private LimitsSpec limits;

  public DatabaseSpec getDatabase() {
    return database;
  }

  public void setDatabase(DatabaseSpec database) {
    this.database = database;
  }

  public ReplicationSpec getReplication() {
    return replication;
  }

  public void setReplication(ReplicationSpec replication) {
    this.replication = replication;
  }

  public RuntimeSpec getRuntime() {
    return runtime;
  }

  public void setRuntime(RuntimeSpec runtime) {
    this.runtime = runtime;
  }

  public AuthSpec getAuth() {
    return auth;
  }

  public void setAuth(AuthSpec auth) {
    this.auth = auth;
  }

  public LimitsSpec getLimits() {
    return limits;
  }

  public void setLimits(LimitsSpec limits) {
    this.limits = limits;
  }
}
