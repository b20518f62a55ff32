package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** How clients prove who they are. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthSpec {

  @Required
  @JsonPropertyDescription("Secret key holding the HS256 secret that client JWTs (the apikey parameter and "
      + "access_token) are signed with, as in Supabase's JWT secret.")
  private SecretKeyRef jwtSecretRef;

  public SecretKeyRef getJwtSecretRef() {
    return jwtSecretRef;
  }

  public void setJwtSecretRef(SecretKeyRef jwtSecretRef) {
    this.jwtSecretRef = jwtSecretRef;
  }
}
