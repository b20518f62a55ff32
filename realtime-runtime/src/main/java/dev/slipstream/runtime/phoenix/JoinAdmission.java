package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenRejectedException;
import dev.slipstream.runtime.limits.ClientShare;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.limits.LimitExceededException;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.PublishedColumns;

/**
 * Whether a {@code phx_join} may go ahead, checked in the order Supabase checks, each refusal with
 * its reason (realtime-js reports it as {@code CHANNEL_ERROR}) and counted by the limit it hit:
 * the topic; the socket's channels; the tenant's joins this second (a client over its own share
 * may use only part of them); the join's config with its bindings and filters; the socket's
 * bindings; the published tables; the token; private channels (the role, then the tenant's channel rules). Cheap, and linear in the size of
 * the join: it runs on the socket's event loop.
 *
 * <p>A join the published tables' snapshot refuses is not refused yet: the table may have joined a
 * publication since the snapshot was read. The decision then {@link Decision#awaitsCatalog awaits the
 * catalog}, and {@link #afterRefresh} finishes it against a fresh read.
 */
final class JoinAdmission {

  static final String TOO_MANY_CHANNELS = "ChannelRateLimitReached: Too many channels";
  static final String TOO_MANY_JOINS = "ClientJoinRateLimitReached: Too many joins per second";
  static final String TOPIC_REQUIRED = "TopicNameRequired: You must provide a topic name";
  static final String TOPIC_TOO_LONG = "TopicNameTooLong: Topic names are at most";
  static final String TOO_MANY_CLIENT_BINDINGS =
      "BindingLimitReached: Too many postgres_changes bindings on this connection";

  /**
   * An admitted join (reason null), the reason it is refused, or (awaitsCatalog) a join to finish with
   * {@link #afterRefresh} once the published tables were read again.
   */
  record Decision(String reason, JoinConfig config, String token, Claims claims, boolean awaitsCatalog) {

    static Decision refused(String reason) {
      return new Decision(reason, null, null, null, false);
    }

    static Decision awaitingCatalog(JoinConfig config) {
      return new Decision(null, config, null, null, true);
    }
  }

  private final ChannelContext context;
  private final ChannelTokens tokens;

  JoinAdmission(ChannelContext context, ChannelTokens tokens) {
    this.context = context;
    this.tokens = tokens;
  }

  /** Null when the topic can be joined; else the reason. Checked before anything else. */
  String topicProblem(String topic) {
    if (!topic.startsWith(PhoenixMessage.TOPIC_PREFIX) || topic.length() == PhoenixMessage.TOPIC_PREFIX.length()) {
      return TOPIC_REQUIRED;
    }
    int max = context.limits().maxTopicLength();
    if (topic.length() - PhoenixMessage.TOPIC_PREFIX.length() > max) {
      context.limitMetrics().rejected(Limit.MAX_TOPIC_LENGTH);
      return TOPIC_TOO_LONG + " " + max + " characters";
    }
    return null;
  }

  /**
   * @param channels channels the socket has joined now (the topic's previous join already left)
   * @param bindings postgres_changes bindings those channels hold
   */
  Decision decide(PhoenixMessage message, int channels, int bindings, ClientShare share) {
    TenantLimits limits = context.limits();
    if (channels >= limits.maxChannelsPerClient()) {
      context.limitMetrics().rejected(Limit.MAX_CHANNELS_PER_CLIENT);
      return Decision.refused(TOO_MANY_CHANNELS);
    }
    if (!context.joins().tryAcquire(share.joins().heavy())) {
      context.limitMetrics().rejected(Limit.MAX_JOINS_PER_SECOND);
      return Decision.refused(TOO_MANY_JOINS);
    }
    JoinConfig config;
    try {
      config = JoinConfig.parse(message.payload(), limits);
    } catch (LimitExceededException e) {
      context.limitMetrics().rejected(e.limit());
      return Decision.refused(e.getMessage());
    } catch (IllegalArgumentException e) {
      return Decision.refused(e.getMessage());
    }
    if (bindings + config.bindings().size() > limits.maxBindingsPerClient()) {
      context.limitMetrics().rejected(Limit.MAX_BINDINGS_PER_CLIENT);
      return Decision.refused(TOO_MANY_CLIENT_BINDINGS + ": " + (bindings + config.bindings().size()) + " (at most "
          + limits.maxBindingsPerClient() + ")");
    }
    return tablesAndToken(message, config, context.catalog().current(), true);
  }

  /**
   * Finishes a join that {@link Decision#awaitsCatalog awaited the catalog}, against {@code tables}
   * read since: the limits before the tables were checked and charged once, in {@link #decide}.
   */
  Decision afterRefresh(PhoenixMessage message, JoinConfig config, PublishedColumns tables) {
    return tablesAndToken(message, config, tables, false);
  }

  private Decision tablesAndToken(PhoenixMessage message, JoinConfig config, PublishedColumns tables,
      boolean mayRefresh) {
    for (PostgresBinding binding : config.bindings()) {
      String problem = tables.problemWith(binding.changeFilter());
      if (problem != null) {
        return mayRefresh ? Decision.awaitingCatalog(config) : Decision.refused(problem);
      }
    }
    String token = tokens.forJoin(config.accessToken());
    Claims claims;
    try {
      claims = tokens.authorize(token);
    } catch (TokenRejectedException e) {
      return Decision.refused(e.joinReason());
    }
    if (config.privateChannel()) {
      String refusal = context.channelRules().refusal(
          message.topic().substring(PhoenixMessage.TOPIC_PREFIX.length()), claims);
      if (refusal != null) {
        return Decision.refused(refusal);
      }
    }
    return new Decision(null, config, token, claims, false);
  }
}
