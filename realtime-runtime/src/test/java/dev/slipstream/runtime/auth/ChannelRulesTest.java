package dev.slipstream.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelRulesTest {

  private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");
  private static final ChannelRules ORG = ChannelRules.parse("org:=app_metadata.org_id");

  private static Claims user(Object orgId) {
    Map<String, Object> appMetadata = new HashMap<>();
    appMetadata.put("org_id", orgId);
    return Claims.of(Map.of("sub", "u1", "app_metadata", appMetadata), "authenticated", EXP);
  }

  @Test
  void parsesCommaSeparatedPrefixEqualsClaim() {
    assertThat(ChannelRules.parse("org:=app_metadata.org_id, team-=team ,").rules()).containsExactly(
        new ChannelRule("org:", "app_metadata.org_id"), new ChannelRule("team-", "team"));
    assertThat(ChannelRules.parse("").rules()).isEmpty();
    assertThat(ChannelRules.parse(null)).isSameAs(ChannelRules.NONE);
    // Split at the first '=': a claim name may hold one, a prefix may not.
    assertThat(ChannelRules.parse("x:=https://example.com/claims?a=b").rules())
        .containsExactly(new ChannelRule("x:", "https://example.com/claims?a=b"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"org:", "=sub", "org:=", "org"})
  void refusesAnEntryThatIsNotPrefixEqualsClaim(String entry) {
    assertThatThrownBy(() -> ChannelRules.parse("a:=sub," + entry)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel rule '" + entry + "' is not topicPrefix=claim");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "org:123          | 123   | true",
      "org:123:chat     | 123   | true",   // the segment ends at the next ':'
      "org:123:chat     | 12    | false",
      "org:1234         | 123   | false",  // exact text, never a prefix of it
      "org:123          | 0123  | false",
      "org:             | ''    | false",  // an empty segment never matches, not even an empty claim
      "org::chat        | ''    | false",
      "org:ABC          | abc   | false",  // case matters
      "org:42           | 42    | true",
  })
  void aRuledTopicNeedsItsSegmentToEqualTheClaim(String topic, String orgId, boolean admitted) {
    assertThat(ORG.refusal(topic, user(orgId)) == null).as("%s with org_id %s", topic, orgId).isEqualTo(admitted);
  }

  @Test
  void numbersAndBooleansCompareAsTheirTextAndNullObjectsArraysOrAbsentClaimsNeverMatch() {
    assertThat(ORG.refusal("org:42", user(42L))).isNull();
    assertThat(ORG.refusal("org:42", user(42.0))).isNull();
    assertThat(ORG.refusal("org:true", user(true))).isNull();
    assertThat(ORG.refusal("org:null", user(null))).isNotNull();
    assertThat(ORG.refusal("org:[1]", user(List.of(1L)))).isNotNull();
    assertThat(ORG.refusal("org:{}", user(Map.of()))).isNotNull();
    assertThat(ORG.refusal("org:1", Claims.of(Map.of("sub", "u1"), "authenticated", EXP))).isNotNull();
  }

  @Test
  void theRefusalNamesTopicAndRuleButNotTheClaimsValue() {
    assertThat(ORG.refusal("org:123", user("secret-org-456"))).isEqualTo(
        "Unauthorized: You do not have permissions to read from this Channel topic: org:123 (channel rule "
            + "org:=app_metadata.org_id: the token's app_metadata.org_id claim is not 123)");
    assertThat(ORG.refusal("org:", user("1"))).endsWith("(channel rule org:=app_metadata.org_id: the topic has no "
        + "segment after org:)");
  }

  @Test
  void anonIsRefusedEveryPrivateTopicAndOtherRolesJoinTopicsNoRuleCovers() {
    assertThat(ORG.refusal("room1", Claims.anonymous()))
        .isEqualTo("Unauthorized: You do not have permissions to read from this Channel topic: room1");
    assertThat(ORG.refusal("org:1", Claims.of(Map.of("app_metadata", Map.of("org_id", "1")), "anon", EXP)))
        .isNotNull();
    assertThat(ORG.refusal("room1", user("1"))).isNull();
    assertThat(ORG.refusal("organisation:1", user("1"))).isNull(); // "org:" is not a prefix of it
    assertThat(ChannelRules.NONE.refusal("org:1", user("2"))).isNull();
  }

  @Test
  void everyRuleThatCoversATopicMustAdmitIt() {
    ChannelRules rules = ChannelRules.parse("org:=org_id,org:=region");
    Claims both = Claims.of(Map.of("org_id", "1", "region", "1"), "authenticated", EXP);
    Claims one = Claims.of(Map.of("org_id", "1", "region", "eu"), "authenticated", EXP);
    assertThat(rules.refusal("org:1", both)).isNull();
    assertThat(rules.refusal("org:1", one)).contains("channel rule org:=region");
  }

  @Test
  void aClaimNameIsFirstReadAsItIsThenAsADottedPath() {
    ChannelRules namespaced = ChannelRules.parse("t:=https://example.com/tenant");
    assertThat(namespaced.refusal("t:7", Claims.of(Map.of("https://example.com/tenant", "7"), "authenticated", EXP)))
        .isNull();
  }
}
