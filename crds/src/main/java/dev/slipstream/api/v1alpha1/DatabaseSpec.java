package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Connection to a tenant's PostgreSQL database. */
// has(): the rule must hold on objects read without defaults too (sslMode defaults to prefer).
@ValidationRule(value = "!has(self.caSecretRef) || (has(self.sslMode) && self.sslMode == 'verify-full')",
    message = "database.caSecretRef needs database.sslMode verify-full: only verify-full checks the server's "
        + "certificate against a CA")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseSpec {

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Host name or IP address of the PostgreSQL server, for example acme-db.acme.svc.")
  private String host;

  @Default("5432")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("TCP port of the PostgreSQL server.")
  private Integer port;

  @Required
  @Size(min = 1, max = Patterns.MAX_IDENTIFIER_BYTES)
  @ValidationRule(value = "self == oldSelf",
      message = "database.name is immutable: the slot and publications live in this database; create a new tenant instead")
  @JsonPropertyDescription("Name of the database (dbname) that holds the published tables and the replication slot. "
      + "Immutable.")
  private String name;

  @Default("prefer")
  @JsonPropertyDescription("TLS mode of the connection, as libpq's sslmode: disable, prefer, require or verify-full. "
      + "verify-full checks that the server's certificate chains to the CA in caSecretRef (without it, to the CAs the "
      + "JVM trusts) and names the host; require encrypts without checking the certificate.")
  private SslMode sslMode;

  @JsonPropertyDescription("Secret key holding the PEM certificate(s) of the CA that signed the PostgreSQL server's "
      + "certificate, for sslMode verify-full (which it requires). Used by the operator and, mounted as a file, by "
      + "the runtime; a rotated CA is read at the next connection.")
  private CaSecretRef caSecretRef;

  @Required
  @JsonPropertyDescription("Secret in the tenant's namespace holding the database user name and password.")
  private CredentialsSecretRef credentialsSecretRef;

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public SslMode getSslMode() {
    return sslMode;
  }

  public void setSslMode(SslMode sslMode) {
    this.sslMode = sslMode;
  }

  public CaSecretRef getCaSecretRef() {
    return caSecretRef;
  }

  public void setCaSecretRef(CaSecretRef caSecretRef) {
    this.caSecretRef = caSecretRef;
  }

  public CredentialsSecretRef getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(CredentialsSecretRef credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }
}
