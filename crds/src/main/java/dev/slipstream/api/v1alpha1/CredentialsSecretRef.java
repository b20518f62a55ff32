package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where the database credentials are: a Secret in the tenant's namespace and the keys within it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsSecretRef {

  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret, in the tenant's namespace.")
  private String name;

  @Default("username")
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Key of the Secret that holds the database user name.")
  private String usernameKey;

  @Default("password")
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Key of the Secret that holds the database password.")
  private String passwordKey;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUsernameKey() {
    return usernameKey;
  }

  public void setUsernameKey(String usernameKey) {
    this.usernameKey = usernameKey;
  }

  public String getPasswordKey() {
    return passwordKey;
  }

  public void setPasswordKey(String passwordKey) {
    this.passwordKey = passwordKey;
  }
}
