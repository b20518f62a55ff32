package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.fanout.EncodedChange;
import dev.slipstream.runtime.limits.ClientShare;
import dev.slipstream.runtime.limits.Share;
import dev.slipstream.runtime.limits.TokenBucket;
import dev.slipstream.runtime.transport.ClientConnection;
import dev.slipstream.runtime.transport.ClientErrors;
import dev.slipstream.runtime.transport.WebSocketStage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks Phoenix Channels over one WebSocket, as realtime-js 2.119.0 does: dispatches each
 * message (heartbeats on topic {@code phoenix}, {@code phx_join}, {@code phx_leave}, and per
 * channel {@code broadcast}, {@code presence}, {@code access_token}) and keeps the socket's
 * channels. The work is in small classes: {@link JoinAdmission} decides whether a join may go
 * ahead, {@link ChannelTokens} owns the token lifecycle, {@link ChannelBroadcasts} and
 * {@link ChannelPresence} handle those messages, {@link Replies} writes what goes back. Beyond
 * Supabase, a join with {@code config.resume_after} first replays what it missed. Errors carry
 * the reasons Supabase Realtime sends, since realtime-js shows them to users as they are.
 *
 * <p>Every message costs the client a token of its share ({@link ClientShare}: joins, or any other
 * message); a client over its share is throttled by not reading its socket for a while, and what
 * it sent beyond its share is refused ({@code Too many messages per second}). A socket that joins
 * no channel within the tenant's {@code joinTimeout} is closed with {@link #JOIN_TIMEOUT_CLOSE_CODE}.
 *
 * <p>Runs on the channel's event loop; all its state belongs to that loop.
 */
public final class PhoenixSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame>
    implements Supplier<String> {

  /** Close code for a client that fell more than its byte budget behind. */
  public static final int SLOW_CLIENT_CLOSE_CODE = 4000;
  public static final String SLOW_CLIENT_REASON = "slow client: fell more than the buffer budget behind";
  /** Close code for a socket that joined no channel in time. */
  public static final int JOIN_TIMEOUT_CLOSE_CODE = 4002;
  static final String JOIN_TIMEOUT = "join_timeout";
  /** Close code for a socket the pod asks to reconnect elsewhere as it goes away (RFC 6455: service restart). */
  public static final int DRAINING_CLOSE_CODE = 1012;
  public static final String DRAINING_REASON = "this server is going away: reconnect";
  static final String UNMATCHED_TOPIC = "unmatched topic";
  /** Close code (RFC 6455: policy violation) for a socket that sent too much while a join waited. */
  static final int HELD_TOO_MANY_CLOSE_CODE = 1008;
  static final String HELD_TOO_MANY = "more than " + HeldFrames.MAX + " messages while a join waited";

  private static final Logger log = LoggerFactory.getLogger(PhoenixSocketHandler.class);

  private final PhoenixSerializer serializer;
  private final ChannelContext context;
  private final ChannelTokens tokens;
  private final JoinAdmission admission;
  private final ChannelBroadcasts broadcasts;
  private final ChannelPresence presence;
  private final Map<String, ChannelMembership> memberships = new HashMap<>();
  private final HeldFrames held = new HeldFrames();
  private ClientShare share;
  private int bindings;
  private int presences;
  private boolean joinedOnce;
  private ClientConnection connection;
  private ChannelHandlerContext ctx;

  /** With the message handlers every socket of the server shares. */
  PhoenixSocketHandler(PhoenixSerializer serializer, ChannelContext context, ChannelBroadcasts broadcasts,
      ChannelPresence presence, String socketToken, Claims socketClaims) {
    this.serializer = serializer;
    this.context = context;
    this.tokens = new ChannelTokens(context, socketToken, socketClaims);
    this.admission = new JoinAdmission(context, tokens);
    this.broadcasts = broadcasts;
    this.presence = presence;
  }

  public PhoenixSocketHandler(PhoenixSerializer serializer, ChannelContext context, String socketToken,
      Claims socketClaims) {
    this(serializer, context, new ChannelBroadcasts(context), new ChannelPresence(context,
        new ChannelBroadcasts(context)), socketToken, socketClaims);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    share = new ClientShare(context.limits(), ctx.executor().ticker()::nanoTime);
    connection = ClientConnection.of(ctx.channel());
    // What the client had not been sent is dropped first (ClientConnection), so the close frame
    // is next in line: it sees the code when it reads again within the grace period.
    connection.onOverBudget(() -> WebSocketStage.close(ctx.channel(), SLOW_CLIENT_CLOSE_CODE, SLOW_CLIENT_REASON,
        ClientConnection.SLOW_CLOSE_GRACE.toNanos(), TimeUnit.NANOSECONDS));
    connection.describe(this); // the handler itself: no object more per connection
    // realtime-js reconnects after any close it did not ask for, and rejoins its channels.
    connection.onDrain(() -> WebSocketStage.close(ctx.channel(), DRAINING_CLOSE_CODE, DRAINING_REASON));
    Duration timeout = context.limits().joinTimeout();
    connection.deadline(timeout, () -> {
      context.connectionMetrics().closed(JOIN_TIMEOUT);
      WebSocketStage.close(ctx.channel(), JOIN_TIMEOUT_CLOSE_CODE, "no channel joined within " + timeout.toSeconds()
          + " s");
    });
  }

  /** The socket's topics, for the log line of a slow client (see ClientConnection); never a token. Event loop. */
  @Override
  public String get() {
    return "topics " + memberships.keySet();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientErrors.caught(ctx, cause);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (held.holding()) {
      if (!held.offer(frame)) {
        WebSocketStage.close(ctx.channel(), HELD_TOO_MANY_CLOSE_CODE, HELD_TOO_MANY);
      }
      return;
    }
    if (frame instanceof BinaryWebSocketFrame binary) {
      if (withinShare(share.messages(), Share.MESSAGES)) {
        broadcasts.binary(this, binary);
      }
      return;
    }
    if (!(frame instanceof TextWebSocketFrame text)) {
      return; // fragments arrive reassembled; pings are answered before this
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
        reply(message, "error", Replies.reason(JoinAdmission.TOO_MANY_JOINS));
      }
      return;
    }
    if (!withinShare(share.messages(), Share.MESSAGES)) {
      if (message.ref() != null) {
        reply(message, "error", Replies.reason(ChannelBroadcasts.TOO_MANY_MESSAGES));
      }
      return;
    }
    if (message.event().equals(PhoenixMessage.HEARTBEAT) && message.topic().equals(PhoenixMessage.PHOENIX_TOPIC)) {
      reply(message, "ok", Replies.NODES.objectNode());
      return;
    }
    if (message.event().equals(PhoenixMessage.LEAVE)) {
      leave(message);
      return;
    }
    ChannelMembership member = memberships.get(message.topic());
    if (member == null) {
      reply(message, "error", Replies.reason(UNMATCHED_TOPIC));
      return;
    }
    switch (message.event()) {
      case PhoenixMessage.BROADCAST -> broadcasts.text(this, member, message);
      case PhoenixMessage.PRESENCE -> presence.handle(this, member, message);
      case PhoenixMessage.ACCESS_TOKEN -> tokens.refresh(this, member, message.payload().get("access_token"));
      default -> reply(message, "error", Replies.reason("unknown event '" + message.event() + "'"));
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
      connection.throttle().pause(owed, kind);
    }
    return within;
  }

  // ---- join and leave -------------------------------------------------------------------------

  private void join(PhoenixMessage message) {
    String topic = message.topic();
    String topicProblem = admission.topicProblem(topic);
    if (topicProblem != null) {
      reply(message, "error", Replies.reason(topicProblem));
      return;
    }
    // A second join of a joined topic replaces the first, which is closed as Phoenix closes it.
    ChannelMembership previous = memberships.remove(topic);
    if (previous != null) {
      drop(previous);
      Replies.close(previous);
    }
    JoinAdmission.Decision decision = admission.decide(message, memberships.size(), bindings, share);
    if (decision.awaitsCatalog()) {
      awaitCatalog(message, decision.config());
      return;
    }
    answer(message, decision);
  }

  /**
   * Finishes a join the published tables' snapshot refused, against a fresh read of them (a table
   * may have joined a publication since the snapshot). The read is off this loop; what the client
   * sends meanwhile is held and handled after the join's reply, in order.
   */
  private void awaitCatalog(PhoenixMessage message, JoinConfig config) {
    held.hold();
    context.catalog().refresh().whenComplete((tables, error) -> ctx.executor().execute(() -> {
      if (!ctx.channel().isActive()) {
        held.discard();
        return;
      }
      answer(message, admission.afterRefresh(message, config, tables != null ? tables : context.catalog().current()));
      held.release(frame -> channelRead0(ctx, frame));
    }));
  }

  /** Replies to a decided join: the refusal, or the admitted channel with its subscriptions. */
  private void answer(PhoenixMessage message, JoinAdmission.Decision decision) {
    String topic = message.topic();
    if (decision.reason() != null) {
      reply(message, "error", Replies.reason(decision.reason()));
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
    tokens.scheduleExpiry(this, member);

    ArrayNode changes = Replies.NODES.arrayNode();
    for (PostgresBinding binding : config.bindings()) {
      ObjectNode echo = changes.addObject().put("id", binding.id()).put("event", binding.event())
          .put("schema", binding.schema());
      putIfPresent(echo, "table", binding.table());
      putIfPresent(echo, "filter", binding.filter());
    }
    reply(message, "ok", Replies.NODES.objectNode().set("postgres_changes", changes));
    if (!config.bindings().isEmpty()) {
      Replies.system(member, "postgres_changes", "ok", "Subscribed to PostgreSQL");
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
   * Sends what the channel missed after {@code after} ({@code resume.Resume}); it is registered
   * already, so later changes come live, and one in both is sent once. A gap is a {@code system}
   * message with status {@code gap}: the client refetches, and the live stream goes on.
   */
  private void replay(ChannelMembership member, EventPosition after) {
    context.resume().replay(after, member::wants, event ->
            connection.send(member.encode(event, new EncodedChange(event), ctx.alloc())))
        .ifPresentOrElse(member::replayedThrough, () -> Replies.send(serializer, connection, new PhoenixMessage(
            member.joinRef(), null, member.topic(), PhoenixMessage.SYSTEM, Replies.NODES.objectNode()
                .put("extension", "postgres_changes")
                .put("status", "gap")
                .put("message", "changes after " + after + " are not available; refetch, then continue live")
                .put("channel", member.subTopic()))));
  }

  private void leave(PhoenixMessage message) {
    ChannelMembership member = memberships.remove(message.topic());
    reply(message, "ok", Replies.NODES.objectNode());
    if (member != null) {
      drop(member);
      Replies.close(member);
    }
  }

  /** Ends a channel from the server's side: a {@code system} error saying why, then {@code phx_close}. */
  void shutdown(ChannelMembership member, String why) {
    if (memberships.get(member.topic()) != member) {
      return; // already gone
    }
    memberships.remove(member.topic());
    drop(member);
    Replies.system(member, "system", "error", why);
    Replies.close(member);
  }

  /** Takes the channel out of the index, its topic and presence, and the socket's counts. */
  private void drop(ChannelMembership member) {
    bindings -= member.config().bindings().size();
    stopTracking(member);
    member.cancelExpiry();
    member.unregister(context.index());
    context.topics().leave(member);
    Topic topic = member.joinedTopic();
    context.topics().presenceExecutor().execute(() -> topic.presence().remove(member));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    held.discard();
    memberships.values().forEach(this::drop);
    memberships.clear();
    super.channelInactive(ctx);
  }

  // ---- what the message handlers use ----------------------------------------------------------

  ChannelMembership membership(String topic) {
    return memberships.get(topic);
  }

  ClientShare share() {
    return share;
  }

  /** Counts the member's presence against the socket's {@code maxPresencesPerClient}; false when full. */
  boolean startTracking(ChannelMembership member) {
    if (presences >= context.limits().maxPresencesPerClient()) {
      return false;
    }
    member.tracking(true);
    presences++;
    return true;
  }

  void stopTracking(ChannelMembership member) {
    if (member.tracking()) {
      member.tracking(false);
      presences--;
    }
  }

  void reply(PhoenixMessage request, String status, JsonNode response) {
    Replies.reply(serializer, connection, request, status, response);
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
