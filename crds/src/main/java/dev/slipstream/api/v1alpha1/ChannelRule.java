package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Private channel access by JWT claim: a private channel whose topic starts with {@code topicPrefix} is joined only
 * when the topic's next segment equals the token's {@code claim}. Evaluated in the runtime at each join and token
 * refresh.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChannelRule {

  /**
   * No white space, comma or '=': the runtime reads the rules as one comma-separated list of prefix=claim (and trims
   * each entry), so these would change what the rule says.
   */
  static final String TOPIC_PREFIX = "^[^\\s,=\\x00-\\x1f\\x7f]+$";
  static final String CLAIM = "^[^\\s,\\x00-\\x1f\\x7f]+$";

  @Required
  @Size(min = 1, max = 255)
  @Pattern(TOPIC_PREFIX)
  @ValidationRule(value = "!self.startsWith('realtime:')",
      message = "topicPrefix is the topic without realtime: (org: for realtime:org:123)")
  @JsonPropertyDescription("Start of the private topics the rule guards, without realtime: (for example org: for "
      + "topics such as org:123 and org:123:chat). No spaces, commas or '='.")
  private String topicPrefix;

  @Required
  @Size(min = 1, max = 253)
  @Pattern(CLAIM)
  @JsonPropertyDescription("The JWT claim the topic's segment after topicPrefix (up to the next ':' or the end) must "
      + "equal exactly, as text, for example app_metadata.org_id (a dotted path reads nested claims). A token without "
      + "it, or whose value is null, an object or an array, is refused.")
  private String claim;

  public ChannelRule() {
  }

  public ChannelRule(String topicPrefix, String claim) {
    this.topicPrefix = topicPrefix;
    this.claim = claim;
  }

  public String getTopicPrefix() {
    return topicPrefix;
  }

  public void setTopicPrefix(String topicPrefix) {
    this.topicPrefix = topicPrefix;
  }

  public String getClaim() {
    return claim;
  }

  public void setClaim(String claim) {
    this.claim = claim;
  }
}
