package dev.slipstream.runtime.auth;

import java.util.Objects;

/**
 * Claim-based access to private channels, from a RealtimeTenant's {@code spec.auth.channelRules} entry: a private
 * channel whose topic (without {@code realtime:}) starts with {@code topicPrefix} may be joined only when the segment
 * after the prefix (up to the next {@code :} or the end) equals the token's {@code claim} (a claim name, or a dotted
 * path into nested claims, read as {@link Claims#claim} reads it for row rules).
 */
public record ChannelRule(String topicPrefix, String claim) {

  public ChannelRule {
    Objects.requireNonNull(topicPrefix, "topicPrefix");
    Objects.requireNonNull(claim, "claim");
    if (topicPrefix.isEmpty() || claim.isEmpty()) {
      throw new IllegalArgumentException("channel rule '" + topicPrefix + "=" + claim
          + "' needs a topic prefix and a claim");
    }
  }

  /** Whether the rule speaks about {@code subTopic} (the topic without {@code realtime:}). */
  boolean covers(String subTopic) {
    return subTopic.startsWith(topicPrefix);
  }

  /** The segment after the prefix, up to the next {@code :} or the end; empty when there is none. */
  String segmentOf(String subTopic) {
    int end = subTopic.indexOf(':', topicPrefix.length());
    return subTopic.substring(topicPrefix.length(), end < 0 ? subTopic.length() : end);
  }

  /**
   * Whether {@code claims} may join the private topic this rule {@link #covers}: the segment is not empty and equals
   * the claim's text exactly; an absent, null, object or array claim never matches.
   */
  boolean admits(String subTopic, Claims claims) {
    String segment = segmentOf(subTopic);
    return !segment.isEmpty() && segment.equals(claims.claim(claim));
  }

  /** The form {@code SLIPSTREAM_CHANNEL_RULES} lists rules in: {@code topicPrefix=claim}. */
  @Override
  public String toString() {
    return topicPrefix + '=' + claim;
  }
}
