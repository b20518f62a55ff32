package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * The key of a Secret that holds PEM certificate authorities; {@code ca.crt} by default, the key
 * cert-manager and {@code kubernetes.io/tls} Secrets use.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CaSecretRef {

  public static final String DEFAULT_KEY = "ca.crt";

  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret, in the tenant's namespace.")
  private String name;

  @Default(DEFAULT_KEY)
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Key within the Secret whose value is one or more PEM certificates (BEGIN CERTIFICATE).")
  private String key;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  /** The key, or {@link #DEFAULT_KEY} when unset (a tenant built in code has no CRD defaults). */
  public String keyOrDefault() {
    return key == null || key.isBlank() ? DEFAULT_KEY : key;
  }
}
