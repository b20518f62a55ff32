package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.limits.LimitExceededException;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.FilterLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code phx_join} asks for, read from its payload as realtime-js 2.119.0 writes it:
 * <pre>
 * {"config": {"broadcast": {"ack": false, "self": false}, "presence": {"key": "", "enabled": false},
 *             "postgres_changes": [{"event", "schema", "table", "filter"}], "private": false},
 *  "access_token": "..."}
 * </pre>
 * realtime-js merges the user's config shallowly, so {@code broadcast: {ack: true}} arrives without
 * {@code self}; absent flags are false. Beyond Supabase, {@code config.resume_after} names the
 * {@code position} of the last postgres_changes push the client saw: a rejoin replays what it
 * missed (see {@link PhoenixSocketHandler}).
 */
record JoinConfig(boolean broadcastSelf, boolean broadcastAck, String presenceKey, boolean presenceEnabled,
    boolean privateChannel, List<PostgresBinding> bindings, String accessToken, EventPosition resumeAfter) {

  static final String TOO_MANY_BINDINGS = "BindingLimitReached: Too many postgres_changes bindings in one channel";

  /**
   * Parses the payload; throws {@link IllegalArgumentException} with a client-facing reason
   * ({@link LimitExceededException} when over one of the tenant's caps).
   */
  static JoinConfig parse(JsonNode payload, TenantLimits limits) {
    JsonNode config = payload.path("config");
    List<PostgresBinding> bindings = new ArrayList<>();
    JsonNode requested = config.path("postgres_changes");
    if (!requested.isMissingNode() && !requested.isNull() && !requested.isArray()) {
      throw new IllegalArgumentException("config.postgres_changes must be a list");
    }
    if (requested.size() > limits.maxBindingsPerChannel()) {
      throw new LimitExceededException(Limit.MAX_BINDINGS_PER_CHANNEL, TOO_MANY_BINDINGS + ": " + requested.size()
          + " (at most " + limits.maxBindingsPerChannel() + ")");
    }
    FilterLimits filterLimits = new FilterLimits(limits.maxFilterLength(), limits.maxFilterValues());
    for (JsonNode binding : requested) {
      bindings.add(PostgresBinding.parse(text(binding, "event"), text(binding, "schema"), text(binding, "table"),
          text(binding, "filter"), filterLimits));
    }
    JsonNode token = payload.get("access_token");
    if (token == null || token.isNull()) {
      token = payload.get("user_token"); // the older name Supabase still accepts
    }
    JsonNode resume = config.get("resume_after");
    EventPosition resumeAfter = null;
    if (resume != null && !resume.isNull()) {
      try {
        resumeAfter = EventPosition.parse(resume.asText());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config.resume_after '" + resume.asText()
            + "' is not a position (the \"position\" of a postgres_changes push)");
      }
    }
    return new JoinConfig(
        config.path("broadcast").path("self").asBoolean(false),
        config.path("broadcast").path("ack").asBoolean(false),
        config.path("presence").path("key").asText(""),
        config.path("presence").path("enabled").asBoolean(false),
        config.path("private").asBoolean(false),
        bindings,
        token == null || !token.isTextual() ? null : token.asText(),
        resumeAfter);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
