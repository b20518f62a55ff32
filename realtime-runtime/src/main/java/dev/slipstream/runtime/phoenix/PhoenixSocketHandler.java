package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.fanout.ClientConnection;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.route.SubscriptionIndex;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks Phoenix Channels over one WebSocket, as realtime-js does: heartbeats on topic
 * {@code phoenix}, {@code phx_join} with {@code config.postgres_changes} (answered with the
 * binding ids), {@code phx_leave}, and {@code postgres_changes} pushes from the fan-out.
 * Runs on the channel's event loop; all its state belongs to that loop.
 */
public final class PhoenixSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

  /** Close code for a client that fell more than its byte budget behind. */
  public static final int SLOW_CLIENT_CLOSE_CODE = 4000;
  public static final String SLOW_CLIENT_REASON = "slow client: fell more than the buffer budget behind";
  static final long SLOW_CLIENT_GRACE_SECONDS = 5;

  private static final Logger log = LoggerFactory.getLogger(PhoenixSocketHandler.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final PhoenixSerializer serializer;
  private final SubscriptionIndex<Subscriber> index;
  private final long clientBufferBytes;
  private final FanOutMetrics metrics;
  private final Map<String, ChannelMembership> memberships = new HashMap<>();
  private ClientConnection connection;

  public PhoenixSocketHandler(PhoenixSerializer serializer, SubscriptionIndex<Subscriber> index,
      long clientBufferBytes, FanOutMetrics metrics) {
    this.serializer = serializer;
    this.index = index;
    this.clientBufferBytes = clientBufferBytes;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    connection = new ClientConnection(ctx.channel(), clientBufferBytes, () -> {
      metrics.slowClientClosed();
      // The close frame queues behind what the client has not read: it sees the code if it catches
      // up within the grace period; otherwise the connection is cut and its buffers are freed.
      ctx.channel().writeAndFlush(new CloseWebSocketFrame(SLOW_CLIENT_CLOSE_CODE, SLOW_CLIENT_REASON))
          .addListener(f -> ctx.close());
      ctx.executor().schedule(() -> ctx.close(), SLOW_CLIENT_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    });
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (!(frame instanceof TextWebSocketFrame text)) {
      return; // binary frames carry user broadcasts, which this runtime does not accept yet
    }
    PhoenixMessage message;
    try {
      message = serializer.decode(text.text());
    } catch (IllegalArgumentException e) {
      log.debug("Unreadable Phoenix message from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
      return; // Phoenix ignores what it cannot decode; there is no ref to reply to
    }
    switch (message.event()) {
      case PhoenixMessage.HEARTBEAT -> reply(message, "ok", NODES.objectNode());
      case PhoenixMessage.JOIN -> join(message);
      case PhoenixMessage.LEAVE -> leave(message);
      case PhoenixMessage.ACCESS_TOKEN -> { }
      default -> reply(message, "error", NODES.objectNode().put("reason", "unknown event '" + message.event() + "'"));
    }
  }

  private void join(PhoenixMessage message) {
    List<PostgresBinding> bindings = new ArrayList<>();
    JsonNode requested = message.payload().path("config").path("postgres_changes");
    try {
      for (JsonNode binding : requested) {
        bindings.add(PostgresBinding.parse(text(binding, "event"), text(binding, "schema"), text(binding, "table"),
            text(binding, "filter")));
      }
    } catch (IllegalArgumentException e) {
      reply(message, "error", NODES.objectNode().put("reason", e.getMessage()));
      return;
    }
    ChannelMembership previous = memberships.remove(message.topic());
    if (previous != null) {
      previous.unregister(index);
    }
    ChannelMembership membership = new ChannelMembership(message.topic(), message.joinRef(), serializer, bindings,
        connection);
    membership.register(index);
    memberships.put(message.topic(), membership);

    ArrayNode changes = NODES.arrayNode();
    for (PostgresBinding binding : bindings) {
      ObjectNode echo = changes.addObject().put("id", binding.id()).put("event", binding.event())
          .put("schema", binding.schema());
      putIfPresent(echo, "table", binding.table());
      putIfPresent(echo, "filter", binding.filter());
    }
    reply(message, "ok", NODES.objectNode().set("postgres_changes", changes));
    if (!bindings.isEmpty()) {
      push(message.topic(), PhoenixMessage.SYSTEM, NODES.objectNode()
          .put("channel", message.topic().replaceFirst("^realtime:", ""))
          .put("extension", "postgres_changes")
          .put("message", "Subscribed to PostgreSQL")
          .put("status", "ok"));
    }
  }

  private void leave(PhoenixMessage message) {
    ChannelMembership membership = memberships.remove(message.topic());
    if (membership != null) {
      membership.unregister(index);
    }
    reply(message, "ok", NODES.objectNode());
    if (membership != null) {
      send(new PhoenixMessage(membership.joinRef(), membership.joinRef(), message.topic(), PhoenixMessage.CLOSE,
          NODES.objectNode()));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    memberships.values().forEach(m -> m.unregister(index));
    memberships.clear();
    super.channelInactive(ctx);
  }

  private void reply(PhoenixMessage request, String status, ObjectNode response) {
    send(new PhoenixMessage(request.joinRef(), request.ref(), request.topic(), PhoenixMessage.REPLY,
        NODES.objectNode().put("status", status).set("response", response)));
  }

  private void push(String topic, String event, ObjectNode payload) {
    send(new PhoenixMessage(null, null, topic, event, payload));
  }

  private void send(PhoenixMessage message) {
    connection.sendNow(new TextWebSocketFrame(Unpooled.wrappedBuffer(serializer.encode(message))));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
