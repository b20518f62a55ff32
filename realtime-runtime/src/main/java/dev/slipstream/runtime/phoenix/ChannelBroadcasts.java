package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.phoenix.UserBroadcastCodec.UserBroadcastPush;
import dev.slipstream.runtime.transport.ClientErrorLog;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's broadcasts (text pushes, and binary kind-3 frames in serializer 2.0.0) to the other
 * members of its channel's topic, with {@code self} and {@code ack} as Supabase answers them:
 * counted against the tenant's message rate (a client over its own share may use only part of
 * it; over the rate, the channel is closed with {@code Too many messages per second}) and the
 * payload limit ({@code payload_size_exceeded}). Delivered to this runtime's channels at once, then
 * sent to the tenant's other pods ({@link PeerBroadcasts}); with {@code ack}, the reply says whether
 * the leader has it ({@code ok}) or not ({@code error} with the reason). Holds no state: one for all
 * sockets.
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

  private static void ackReply(PhoenixSocketHandler socket, PhoenixMessage request, Throwable failure) {
    if (failure == null) {
      socket.reply(request, "ok", Replies.NODES.objectNode());
      return;
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    socket.reply(request, "error", Replies.reason(String.valueOf(cause.getMessage())));
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
    boolean ack = member.config().broadcastAck();
    CompletionStage<Void> relayed;
    try {
      relayed = context.topics().peers().publish(broadcast.topic(), member.privateChannel(), broadcast.event(),
          broadcast.payload(), broadcast.json(), broadcast.binaryOrigin(), ack);
    } catch (RuntimeException e) { // a bug beyond this pod's channels must not end the client's socket
      log.warn("Relaying a broadcast to the other pods failed", e);
      relayed = CompletableFuture.failedFuture(new IllegalStateException("relaying the broadcast failed"));
    }
    if (ack) {
      CompletableFuture<Void> leaderHasIt = relayed.toCompletableFuture();
      if (leaderHasIt.isDone()) { // alone, or on the leader: answered in line, as before
        ackReply(socket, request, leaderHasIt.isCompletedExceptionally() ? leaderHasIt.exceptionNow() : null);
      } else {
        leaderHasIt.whenCompleteAsync((done, failure) -> ackReply(socket, request, failure), member.executor());
      }
    }
  }
}
