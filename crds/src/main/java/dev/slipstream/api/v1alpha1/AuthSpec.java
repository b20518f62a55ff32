package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** How clients prove who they are. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthSpec {

  @Required
  @JsonPropertyDescription("Secret key holding the HS256 secret that client JWTs (the apikey parameter and "
      + "access_token) are signed with, as in Supabase's JWT secret.")
  private SecretKeyRef jwtSecretRef;

  @JsonPropertyDescription("Secret key holding the JWT secret before the last rotation: while set, tokens signed "
      + "with it are accepted too, so clients keep working until they have tokens signed with the new secret. "
      + "Rotate by moving the old reference here and the new one to jwtSecretRef; remove this once old tokens "
      + "have expired. Each change rolls the runtime pods.")
  private SecretKeyRef previousJwtSecretRef;

  @Pattern(Patterns.SINGLE_LINE_TEXT)
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription("When set, a client JWT's iss claim must equal this exactly (for example "
      + "https://<project>.supabase.co/auth/v1); a token without it or with another issuer is refused with "
      + "\"InvalidJWTToken: Token issuer is not accepted\". Unset, iss is not looked at, as in Supabase Realtime.")
  private String issuer;

  @Pattern(Patterns.SINGLE_LINE_TEXT)
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription("When set, a client JWT's aud claim must be this value or a list holding it (for "
      + "example authenticated); otherwise the token is refused with \"InvalidJWTToken: Token audience is not "
      + "accepted\". Unset, aud is not looked at, as in Supabase Realtime.")
  private String audience;

  @Size(max = 64)
  @JsonPropertyDescription("Who may join which private channel (config.private: true), by JWT claim. A private "
      + "channel whose topic starts with a rule's topicPrefix is joined only when the topic's next segment (up to the "
      + "next ':' or the end) equals the rule's claim, exactly, as text; every rule whose prefix the topic starts with "
      + "must hold. A private topic no rule covers is open to every token whose role is not anon, as without rules. "
      + "Public channels are never gated: send what must stay private on private channels. A refresh to a token the "
      + "rules refuse ends the channel. Each change rolls the runtime pods.")
  private List<ChannelRule> channelRules;

  public SecretKeyRef getJwtSecretRef() {
    return jwtSecretRef;
  }

  public void setJwtSecretRef(SecretKeyRef jwtSecretRef) {
    this.jwtSecretRef = jwtSecretRef;
  }

  public SecretKeyRef getPreviousJwtSecretRef() {
    return previousJwtSecretRef;
  }

  public void setPreviousJwtSecretRef(SecretKeyRef previousJwtSecretRef) {
    this.previousJwtSecretRef = previousJwtSecretRef;
  }

  public String getIssuer() {
    return issuer;
  }

  public void setIssuer(String issuer) {
    this.issuer = issuer;
  }

  public List<ChannelRule> getChannelRules() {
    return channelRules;
  }

  public void setChannelRules(List<ChannelRule> channelRules) {
    this.channelRules = channelRules;
  }

  public String getAudience() {
    return audience;
  }

  public void setAudience(String audience) {
    this.audience = audience;
  }
}
