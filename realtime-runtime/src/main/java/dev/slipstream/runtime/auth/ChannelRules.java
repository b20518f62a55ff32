package dev.slipstream.runtime.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may join a private channel ({@code config.private: true}). A token whose role is {@code anon} never may, as in
 * Supabase Realtime without a policy. Beyond that, every {@link ChannelRule} whose prefix the topic starts with must
 * admit the token's claims; a private topic no rule covers is open to every token whose role is not {@code anon}.
 * Public channels are never checked here: a public topic is public.
 *
 * <p>Checked at the join and again at each {@code access_token} refresh. Broadcasts and presence reach only the
 * channels joined to the topic (on this pod, from the other pods through the relay, and from the database), so the
 * join is the gate for all of them.
 */
public final class ChannelRules {

  public static final ChannelRules NONE = new ChannelRules(List.of());

  private static final String UNAUTHORIZED = "Unauthorized: You do not have permissions to read from this Channel "
      + "topic: ";

  private final List<ChannelRule> rules;

  public ChannelRules(List<ChannelRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /**
   * Parses {@code SLIPSTREAM_CHANNEL_RULES}: comma-separated {@code topicPrefix=claim} entries (split at the first
   * {@code =}: a prefix holds none); empty means no rules. Throws {@link IllegalArgumentException} naming the entry.
   */
  public static ChannelRules parse(String text) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    List<ChannelRule> rules = new ArrayList<>();
    for (String entry : text.split(",")) {
      String item = entry.trim();
      if (item.isEmpty()) {
        continue;
      }
      int equals = item.indexOf('=');
      if (equals <= 0 || equals == item.length() - 1) {
        throw new IllegalArgumentException("channel rule '" + item + "' is not topicPrefix=claim");
      }
      rules.add(new ChannelRule(item.substring(0, equals), item.substring(equals + 1)));
    }
    return new ChannelRules(rules);
  }

  public List<ChannelRule> rules() {
    return rules;
  }

  /**
   * Null when {@code claims} may join the private channel {@code subTopic} (its topic without {@code realtime:}), else
   * the reason, in Supabase's words and naming the rule that refused. The reason holds the client's own topic and the
   * rule, never the value of a claim.
   */
  public String refusal(String subTopic, Claims claims) {
    if (Claims.ANONYMOUS_ROLE.equals(claims.role())) {
      return UNAUTHORIZED + subTopic;
    }
    for (ChannelRule rule : rules) {
      if (rule.covers(subTopic) && !rule.admits(subTopic, claims)) {
        String segment = rule.segmentOf(subTopic);
        return UNAUTHORIZED + subTopic + " (channel rule " + rule + ": " + (segment.isEmpty()
            ? "the topic has no segment after " + rule.topicPrefix()
            : "the token's " + rule.claim() + " claim is not " + segment) + ")";
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return rules.toString();
  }
}
