package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.limits.Limit;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A client's {@code presence} messages ({@code track}, {@code untrack}): checked here, on the
 * socket's event loop (the tenant's message rate, the payload size with Supabase's {@code Track
 * message size exceeded}, the socket's {@code maxPresencesPerClient}), then handed to the topic's
 * {@link Presence} on the presence thread. Holds no state: one for all sockets.
 */
final class ChannelPresence {

  static final String TRACK_TOO_LARGE = "Track message size exceeded";
  static final String TOO_MANY_PRESENCES = "PresenceLimitReached: Too many presences tracked on this connection";

  private final ChannelContext context;
  private final ChannelBroadcasts broadcasts;

  ChannelPresence(ChannelContext context, ChannelBroadcasts broadcasts) {
    this.context = context;
    this.broadcasts = broadcasts;
  }

  void handle(PhoenixSocketHandler socket, ChannelMembership member, PhoenixMessage message) {
    if (!broadcasts.withinTenantRate(socket, member)) {
      return;
    }
    JsonNode payload = message.payload();
    Topic topic = member.joinedTopic();
    switch (payload.path("event").asText("").toLowerCase(Locale.ROOT)) {
      case "track" -> {
        JsonNode tracked = payload.path("payload");
        if (!tracked.isObject()) {
          socket.reply(message, "error", Replies.reason("Presence track payload must be a map"));
          return;
        }
        if (tracked.toString().getBytes(StandardCharsets.UTF_8).length > context.limits().maxPresencePayloadBytes()) {
          context.limitMetrics().rejected(Limit.MAX_PRESENCE_PAYLOAD_BYTES);
          socket.shutdown(member, TRACK_TOO_LARGE);
          return;
        }
        if (!member.tracking() && !socket.startTracking(member)) {
          context.limitMetrics().rejected(Limit.MAX_PRESENCES_PER_CLIENT);
          socket.reply(message, "error", Replies.reason(TOO_MANY_PRESENCES + " (at most "
              + context.limits().maxPresencesPerClient() + ")"));
          return;
        }
        ObjectNode meta = ((ObjectNode) tracked).deepCopy();
        context.topics().presenceExecutor().execute(() -> topic.presence().track(member, meta));
      }
      case "untrack" -> {
        socket.stopTracking(member);
        context.topics().presenceExecutor().execute(() -> topic.presence().untrack(member));
      }
      default -> { } // Supabase answers ok and does nothing
    }
    socket.reply(message, "ok", Replies.NODES.objectNode());
  }
}
