package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret of type {@code kubernetes.io/tls}: the keys are {@code tls.crt} and {@code tls.key}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSecretRef {

  public static final String CERTIFICATE_KEY = "tls.crt";
  public static final String PRIVATE_KEY_KEY = "tls.key";

  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret, in the tenant's namespace.")
  private String name;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
