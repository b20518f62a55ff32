package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenRejectedException;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.fanout.EncodedChange;
import dev.slipstream.runtime.limits.ClientShare;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.limits.Share;
import dev.slipstream.runtime.limits.TokenBucket;
import dev.slipstream.runtime.phoenix.UserBroadcastCodec.UserBroadcastPush;
import dev.slipstream.runtime.transport.ClientConnection;
import dev.slipstream.runtime.transport.ClientErrors;
import dev.slipstream.runtime.transport.InboundThrottle;
import dev.slipstream.runtime.transport.WebSocketFrames;
import dev.slipstream.runtime.transport.WebSocketStage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks Phoenix Channels over one WebSocket, as realtime-js 2.119.0 does: heartbeats on topic
 * {@code phoenix}; {@code phx_join} (admitted by {@link JoinAdmission}: postgres_changes bindings
 * answered with their ids, broadcast and presence options, private channels, the join's
 * {@code access_token}); {@code phx_leave}; {@code broadcast} (text, or binary kind 3 in
 * serializer 2.0.0) with {@code self} and {@code ack}; {@code presence} track and untrack;
 * {@code access_token} refresh; and the pushes: postgres_changes from the fan-out, broadcasts,
 * presence state and diffs, {@code system} messages. Beyond Supabase, a join with
 * {@code config.resume_after} first replays the changes it missed. Errors carry the reasons
 * Supabase Realtime sends, since realtime-js shows them to users as they are.
 *
 * <p>Every message costs the client a token of its share ({@link ClientShare}: joins, or any other
 * message); a client over its share is throttled by not reading its socket for a while, and what
 * it sent beyond its share is refused ({@code Too many messages per second}). Everything
 * sent goes through the connection's byte budget. A socket that joins no channel within the
 * tenant's {@code joinTimeout} is closed with {@link #JOIN_TIMEOUT_CLOSE_CODE}.
 *
 * <p>Runs on the channel's event loop; all its state belongs to that loop.
 */
public final class PhoenixSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

  /** Close code for a client that fell more than its byte budget behind. */
  public static final int SLOW_CLIENT_CLOSE_CODE = 4000;
  public static final String SLOW_CLIENT_REASON = "slow client: fell more than the buffer budget behind";
  /** Close code for a socket that joined no channel in time. */
  public static final int JOIN_TIMEOUT_CLOSE_CODE = 4002;
  static final String JOIN_TIMEOUT = "join_timeout";

  static final String TOO_MANY_MESSAGES = "Too many messages per second";
  static final String TRACK_TOO_LARGE = "Track message size exceeded";
  static final String TOO_MANY_PRESENCES = "PresenceLimitReached: Too many presences tracked on this connection";
  static final String PAYLOAD_TOO_LARGE = "payload_size_exceeded";
  static final String UNMATCHED_TOPIC = "unmatched topic";

  private static final Logger log = LoggerFactory.getLogger(PhoenixSocketHandler.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final PhoenixSerializer serializer;
  private final ChannelContext context;
  private final ChannelTokens tokens;
  private final JoinAdmission admission;
  private ClientShare share;
  private final Map<String, ChannelMembership> memberships = new HashMap<>();
  private int bindings;
  private int presences;
  private boolean joinedOnce;
  private ClientConnection connection;
  private InboundThrottle throttle;
  private ChannelHandlerContext ctx;

  public PhoenixSocketHandler(PhoenixSerializer serializer, ChannelContext context, String socketToken,
      Claims socketClaims) {
    this.serializer = serializer;
    this.context = context;
    this.tokens = new ChannelTokens(context, socketToken, socketClaims);
    this.admission = new JoinAdmission(context, tokens);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    share = new ClientShare(context.limits(), ctx.executor().ticker()::nanoTime);
    connection = ClientConnection.of(ctx.channel());
    throttle = connection.throttle();
    // The close frame queues behind what the client has not read: it sees the code if it catches
    // up within the grace period; otherwise the connection is cut and its buffers are freed.
    connection.onOverBudget(() -> WebSocketStage.close(ctx.channel(), SLOW_CLIENT_CLOSE_CODE, SLOW_CLIENT_REASON));
    Duration timeout = context.limits().joinTimeout();
    connection.deadline(timeout, () -> {
      context.connectionMetrics().closed(JOIN_TIMEOUT);
      WebSocketStage.close(ctx.channel(), JOIN_TIMEOUT_CLOSE_CODE, "no channel joined within " + timeout.toSeconds()
          + " s");
    });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientErrors.caught(ctx, cause);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof BinaryWebSocketFrame binary) {
      if (withinShare(share.messages(), Share.MESSAGES)) {
        binaryBroadcast(binary);
      }
      return;
    }
    if (!(frame instanceof TextWebSocketFrame text)) {
      return; // fragments arrive reassembled; pings are answered by Netty
    }
    PhoenixMessage message;
    try {
      message = serializer.decode(text.text());
    } catch (IllegalArgumentException e) {
      withinShare(share.messages(), Share.MESSAGES);
      log.debug("Unreadable Phoenix message from {}", ctx.channel().remoteAddress());
      return; // Phoenix ignores what it cannot decode: there is no ref to reply to
    }
    if (message.event().equals(PhoenixMessage.JOIN)) {
      if (withinShare(share.joins(), Share.JOINS)) {
        join(message);
      } else {
        reply(message, "error", reason(JoinAdmission.TOO_MANY_JOINS));
      }
      return;
    }
    if (!withinShare(share.messages(), Share.MESSAGES)) {
      if (message.ref() != null) {
        reply(message, "error", reason(TOO_MANY_MESSAGES));
      }
      return;
    }
    if (message.event().equals(PhoenixMessage.HEARTBEAT) && message.topic().equals(PhoenixMessage.PHOENIX_TOPIC)) {
      reply(message, "ok", NODES.objectNode());
      return;
    }
    if (message.event().equals(PhoenixMessage.LEAVE)) {
      leave(message);
      return;
    }
    ChannelMembership member = memberships.get(message.topic());
    if (member == null) {
      reply(message, "error", reason(UNMATCHED_TOPIC));
      return;
    }
    switch (message.event()) {
      case PhoenixMessage.BROADCAST -> textBroadcast(member, message);
      case PhoenixMessage.PRESENCE -> presence(member, message);
      case PhoenixMessage.ACCESS_TOKEN -> refreshToken(member, message.payload().get("access_token"));
      default -> reply(message, "error", reason("unknown event '" + message.event() + "'"));
    }
  }

  /**
   * Takes a token of the client's share. A client over it is not read from until it is even again;
   * what it sent while already in debt (read before the pause took hold) is refused.
   */
  private boolean withinShare(TokenBucket bucket, Share kind) {
    boolean within = bucket.take(1);
    long owed = bucket.owedNanos();
    if (owed > 0) {
      throttle.pause(owed, kind);
    }
    return within;
  }

  // ---- join and leave -------------------------------------------------------------------------

  private void join(PhoenixMessage message) {
    String topic = message.topic();
    String topicProblem = admission.topicProblem(topic);
    if (topicProblem != null) {
      reply(message, "error", reason(topicProblem));
      return;
    }
    // A second join of a joined topic replaces the first, which is closed as Phoenix closes it.
    ChannelMembership previous = memberships.remove(topic);
    if (previous != null) {
      drop(previous);
      send(new PhoenixMessage(previous.joinRef(), previous.joinRef(), topic, PhoenixMessage.CLOSE, NODES.objectNode()));
    }
    JoinAdmission.Decision decision = admission.decide(message, memberships.size(), bindings, share);
    if (decision.reason() != null) {
      reply(message, "error", reason(decision.reason()));
      return;
    }
    JoinConfig config = decision.config();
    ChannelMembership member = new ChannelMembership(topic, message.joinRef(), serializer, config, decision.token(),
        decision.claims(), connection);
    member.register(context.index(), context.access());
    member.joinedTopic(context.topics().join(member));
    memberships.put(topic, member);
    bindings += config.bindings().size();
    if (!joinedOnce) {
      joinedOnce = true;
      connection.clearDeadline();
    }
    scheduleExpiry(member);

    ArrayNode changes = NODES.arrayNode();
    for (PostgresBinding binding : config.bindings()) {
      ObjectNode echo = changes.addObject().put("id", binding.id()).put("event", binding.event())
          .put("schema", binding.schema());
      putIfPresent(echo, "table", binding.table());
      putIfPresent(echo, "filter", binding.filter());
    }
    reply(message, "ok", NODES.objectNode().set("postgres_changes", changes));
    if (!config.bindings().isEmpty()) {
      system(member, "postgres_changes", "ok", "Subscribed to PostgreSQL");
    }
    if (config.resumeAfter() != null) {
      replay(member, config.resumeAfter());
    }
    if (config.presenceEnabled()) {
      Topic joined = member.joinedTopic();
      context.topics().presenceExecutor().execute(() -> joined.presence().subscribe(member));
    }
  }

  /**
   * Sends what the channel missed after {@code after}, oldest first, from the resume ring. It is
   * registered already, so every later change is routed to it live; an event in both is sent once
   * (see {@link ChannelMembership#deliver}). When the ring no longer reaches back that far, or the
   * position is beyond anything the stream has reached, a {@code system} message with status
   * {@code gap} says so, the client refetches, and the live stream goes on.
   */
  private void replay(ChannelMembership member, EventPosition after) {
    context.resume().replay(after, member::wants, event ->
            connection.send(member.encode(event, new EncodedChange(event), ctx.alloc())))
        .ifPresentOrElse(member::replayedThrough, () ->
            send(new PhoenixMessage(member.joinRef(), null, member.topic(), PhoenixMessage.SYSTEM, NODES.objectNode()
                .put("extension", "postgres_changes")
                .put("status", "gap")
                .put("message", "changes after " + after + " are not available; refetch, then continue live")
                .put("channel", member.subTopic()))));
  }

  private void leave(PhoenixMessage message) {
    ChannelMembership member = memberships.remove(message.topic());
    reply(message, "ok", NODES.objectNode());
    if (member != null) {
      drop(member);
      send(new PhoenixMessage(member.joinRef(), member.joinRef(), message.topic(), PhoenixMessage.CLOSE,
          NODES.objectNode()));
    }
  }

  /** Ends a channel from the server's side: a {@code system} error saying why, then {@code phx_close}. */
  private void shutdown(ChannelMembership member, String why) {
    if (memberships.get(member.topic()) != member) {
      return; // already gone
    }
    memberships.remove(member.topic());
    drop(member);
    system(member, "system", "error", why);
    send(new PhoenixMessage(member.joinRef(), member.joinRef(), member.topic(), PhoenixMessage.CLOSE,
        NODES.objectNode()));
  }

  /** Takes the channel out of the index, its topic and presence, and the socket's counts. */
  private void drop(ChannelMembership member) {
    bindings -= member.config().bindings().size();
    if (member.tracking()) {
      member.tracking(false);
      presences--;
    }
    member.cancelExpiry();
    member.unregister(context.index());
    context.topics().leave(member);
    Topic topic = member.joinedTopic();
    context.topics().presenceExecutor().execute(() -> topic.presence().remove(member));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    memberships.values().forEach(this::drop);
    memberships.clear();
    super.channelInactive(ctx);
  }

  // ---- tokens ---------------------------------------------------------------------------------

  private void refreshToken(ChannelMembership member, JsonNode value) {
    if (value == null || !value.isTextual() || !ChannelTokens.usable(value.asText())
        || value.asText().equals(member.token())) {
      return; // Supabase ignores these, and does not reply to access_token at all
    }
    try {
      Claims claims = tokens.authorize(value.asText());
      member.reauthorize(value.asText(), claims, context.index(), context.access());
      scheduleExpiry(member);
    } catch (TokenRejectedException e) {
      shutdown(member, e.getMessage());
    }
  }

  /** When the channel's token expires, the channel ends as Supabase ends it. */
  private void scheduleExpiry(ChannelMembership member) {
    Instant expiresAt = member.claims().expiresAt();
    if (expiresAt == null || !context.verifier().required()) {
      member.cancelExpiry();
      return;
    }
    long delayMillis = Math.max(0, Duration.between(context.clock().instant(), expiresAt).toMillis());
    member.expiry(ctx.executor().schedule(() -> {
      long seconds = Math.max(0, Duration.between(expiresAt, context.clock().instant()).toSeconds());
      shutdown(member, "Token has expired " + seconds + " seconds ago");
    }, delayMillis, TimeUnit.MILLISECONDS));
  }

  // ---- broadcast and presence -----------------------------------------------------------------

  private void textBroadcast(ChannelMembership member, PhoenixMessage message) {
    JsonNode payload = message.payload();
    String event = payload.path("event").asText("");
    byte[] body = json(payload.path("payload").isMissingNode() ? NODES.objectNode() : payload.path("payload"));
    broadcast(member, message.ref(), new Broadcast(member.topic(), event, body, true, false));
  }

  private void binaryBroadcast(BinaryWebSocketFrame frame) {
    UserBroadcastPush push;
    try {
      push = UserBroadcastCodec.decodePush(frame.content());
    } catch (IllegalArgumentException e) {
      log.debug("Unreadable binary frame from {}", ctx.channel().remoteAddress());
      return;
    }
    ChannelMembership member = memberships.get(push.topic());
    if (member == null) {
      reply(new PhoenixMessage(push.joinRef(), push.ref(), push.topic(), PhoenixMessage.BROADCAST, null), "error",
          reason(UNMATCHED_TOPIC));
      return;
    }
    broadcast(member, push.ref(), new Broadcast(member.topic(), push.event(), push.payload(), push.json(), true));
  }

  /** The tenant's message rate, of which a client over its own share may use only part. */
  private boolean withinTenantRate(ChannelMembership member) {
    if (context.events().tryAcquire(share.messages().heavy())) {
      return true;
    }
    context.limitMetrics().rejected(Limit.MAX_EVENTS_PER_SECOND);
    shutdown(member, TOO_MANY_MESSAGES);
    return false;
  }

  private void broadcast(ChannelMembership member, String ref, Broadcast broadcast) {
    if (!withinTenantRate(member)) {
      return;
    }
    PhoenixMessage request = new PhoenixMessage(member.joinRef(), ref, member.topic(), PhoenixMessage.BROADCAST, null);
    if (broadcast.payload().length > context.limits().maxPayloadBytes()) {
      context.limitMetrics().rejected(Limit.MAX_PAYLOAD_BYTES);
      if (member.config().broadcastAck()) {
        reply(request, "error", TextNode.valueOf(PAYLOAD_TOO_LARGE)); // a bare string, as Supabase replies
      }
      return;
    }
    member.joinedTopic().broadcast(broadcast, member, context.topics().allocator());
    if (member.config().broadcastAck()) {
      reply(request, "ok", NODES.objectNode());
    }
  }

  private void presence(ChannelMembership member, PhoenixMessage message) {
    if (!withinTenantRate(member)) {
      return;
    }
    JsonNode payload = message.payload();
    String event = payload.path("event").asText("").toLowerCase(java.util.Locale.ROOT);
    Topic topic = member.joinedTopic();
    switch (event) {
      case "track" -> {
        JsonNode tracked = payload.path("payload");
        if (!tracked.isObject()) {
          reply(message, "error", reason("Presence track payload must be a map"));
          return;
        }
        if (json(tracked).length > context.limits().maxPresencePayloadBytes()) {
          context.limitMetrics().rejected(Limit.MAX_PRESENCE_PAYLOAD_BYTES);
          shutdown(member, TRACK_TOO_LARGE);
          return;
        }
        if (!member.tracking()) {
          if (presences >= context.limits().maxPresencesPerClient()) {
            context.limitMetrics().rejected(Limit.MAX_PRESENCES_PER_CLIENT);
            reply(message, "error", reason(TOO_MANY_PRESENCES + " (at most "
                + context.limits().maxPresencesPerClient() + ")"));
            return;
          }
          member.tracking(true);
          presences++;
        }
        ObjectNode meta = ((ObjectNode) tracked).deepCopy();
        context.topics().presenceExecutor().execute(() -> topic.presence().track(member, meta));
      }
      case "untrack" -> {
        if (member.tracking()) {
          member.tracking(false);
          presences--;
        }
        context.topics().presenceExecutor().execute(() -> topic.presence().untrack(member));
      }
      default -> { } // Supabase answers ok and does nothing
    }
    reply(message, "ok", NODES.objectNode());
  }

  // ---- sending --------------------------------------------------------------------------------

  private void system(ChannelMembership member, String extension, String status, String text) {
    send(new PhoenixMessage(member.joinRef(), null, member.topic(), PhoenixMessage.SYSTEM, NODES.objectNode()
        .put("extension", extension)
        .put("status", status)
        .put("message", text)
        .put("channel", member.subTopic())));
  }

  private void reply(PhoenixMessage request, String status, JsonNode response) {
    send(new PhoenixMessage(request.joinRef(), request.ref(), request.topic(), PhoenixMessage.REPLY,
        NODES.objectNode().put("status", status).set("response", response)));
  }

  /** Every message goes through the connection's byte budget, replies and system messages too. */
  private void send(PhoenixMessage message) {
    connection.send(WebSocketFrames.text(ctx.alloc(), serializer.encode(message)));
  }

  private static ObjectNode reason(String text) {
    return NODES.objectNode().put("reason", text);
  }

  private static byte[] json(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
