package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.phoenix.UserBroadcastCodec.UserBroadcastPush;
import dev.slipstream.runtime.transport.ClientErrorLog;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's broadcasts (text pushes, and binary kind-3 frames in serializer 2.0.0) to the other
 * members of its channel's topic, with {@code self} and {@code ack} as Supabase answers them:
 * counted against the tenant's message rate (a client over its own share may use only part of
 * it; over the rate, the channel is closed with {@code Too many messages per second}) and the
 * payload limit ({@code payload_size_exceeded}). Holds no state: one for all sockets.
 */
final class ChannelBroadcasts {

  static final String TOO_MANY_MESSAGES = "Too many messages per second";
  static final String PAYLOAD_TOO_LARGE = "payload_size_exceeded";

  private static final Logger log = LoggerFactory.getLogger(ChannelBroadcasts.class);

  private final ChannelContext context;

  ChannelBroadcasts(ChannelContext context) {
    this.context = context;
  }

  void text(PhoenixSocketHandler socket, ChannelMembership member, PhoenixMessage message) {
    JsonNode payload = message.payload();
    String event = payload.path("event").asText("");
    JsonNode body = payload.path("payload").isMissingNode() ? Replies.NODES.objectNode() : payload.path("payload");
    broadcast(socket, member, message.ref(), new Broadcast(member.topic(), event,
        body.toString().getBytes(StandardCharsets.UTF_8), true, false));
  }

  void binary(PhoenixSocketHandler socket, BinaryWebSocketFrame frame) {
    UserBroadcastPush push;
    try {
      push = UserBroadcastCodec.decodePush(frame.content());
    } catch (IllegalArgumentException e) {
      log.debug("Unreadable binary frame: {}", ClientErrorLog.redact(String.valueOf(e.getMessage())));
      return;
    }
    ChannelMembership member = socket.membership(push.topic());
    if (member == null) {
      socket.reply(new PhoenixMessage(push.joinRef(), push.ref(), push.topic(), PhoenixMessage.BROADCAST, null),
          "error", Replies.reason(PhoenixSocketHandler.UNMATCHED_TOPIC));
      return;
    }
    broadcast(socket, member, push.ref(), new Broadcast(member.topic(), push.event(), push.payload(), push.json(),
        true));
  }

  /** The tenant's message rate, of which a client over its own share may use only part; over it the channel ends. */
  boolean withinTenantRate(PhoenixSocketHandler socket, ChannelMembership member) {
    if (context.events().tryAcquire(socket.share().messages().heavy())) {
      return true;
    }
    context.limitMetrics().rejected(Limit.MAX_EVENTS_PER_SECOND);
    socket.shutdown(member, TOO_MANY_MESSAGES);
    return false;
  }

  private void broadcast(PhoenixSocketHandler socket, ChannelMembership member, String ref, Broadcast broadcast) {
    if (!withinTenantRate(socket, member)) {
      return;
    }
    PhoenixMessage request = new PhoenixMessage(member.joinRef(), ref, member.topic(), PhoenixMessage.BROADCAST, null);
    if (broadcast.payload().length > context.limits().maxPayloadBytes()) {
      context.limitMetrics().rejected(Limit.MAX_PAYLOAD_BYTES);
      if (member.config().broadcastAck()) {
        socket.reply(request, "error", TextNode.valueOf(PAYLOAD_TOO_LARGE)); // a bare string, as Supabase replies
      }
      return;
    }
    member.joinedTopic().broadcast(broadcast, member, context.topics().allocator());
    if (member.config().broadcastAck()) {
      socket.reply(request, "ok", Replies.NODES.objectNode());
    }
  }
}
