package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Reference to a {@link RealtimeTenant} in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TenantRef {

  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @ValidationRule(value = "self == oldSelf", message = "tenantRef.name is immutable: create a new publication instead")
  @JsonPropertyDescription("Name of the RealtimeTenant.")
  private String name;

  public TenantRef() {
  }

  public TenantRef(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
