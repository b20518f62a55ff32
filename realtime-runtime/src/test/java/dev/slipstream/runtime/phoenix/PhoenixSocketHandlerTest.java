package dev.slipstream.runtime.phoenix;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static dev.slipstream.runtime.change.ChangeFixtures.position;
import static dev.slipstream.runtime.change.ChangeFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.route.SubscriptionIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Phoenix Channels conversation of one socket, message by message, with serializer 2.0.0 (what
 * realtime-js 2.x speaks) unless a test says otherwise. Requests are written as realtime-js writes
 * them.
 */
class PhoenixSocketHandlerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "realtime:room-lobby";

  /** realtime-js's join for {@code .on('postgres_changes', ...)} twice: one filtered INSERT binding, one catch-all. */
  private static final String JOIN_TWO_BINDINGS = "[\"1\",\"1\",\"realtime:room-lobby\",\"phx_join\",{\"config\":{"
      + "\"broadcast\":{\"ack\":false,\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},"
      + "\"postgres_changes\":["
      + "{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"room=eq.lobby\"},"
      + "{\"event\":\"*\",\"schema\":\"public\"}],"
      + "\"private\":false},\"access_token\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\"}]";

  private final TestChannels channels = TestChannels.open();
  private final SubscriptionIndex<Subscriber> index = channels.index;
  private final FanOutMetrics metrics = channels.metrics;
  private final FanOut fanOut = channels.fanOut;
  private EmbeddedChannel channel = socket(PhoenixSerializer.V2, 1 << 20);

  private void useSocket(PhoenixSerializer serializer, long clientBufferBytes) {
    channel.finishAndReleaseAll();
    channel = socket(serializer, clientBufferBytes);
  }

  private EmbeddedChannel socket(PhoenixSerializer serializer, long clientBufferBytes) {
    return channels.socket(serializer, clientBufferBytes);
  }

  /** An event and its commit, as the assembler hands them over: deliveries go out at the commit. */
  private void commit(dev.slipstream.runtime.change.ChangeEvent event) {
    fanOut.accept(event);
    fanOut.committed(event.position().commitLsn());
  }

  @AfterEach
  void nothingLeftUnread() {
    assertThat(channel.outboundMessages()).as("unread outbound messages").isEmpty();
    channel.finishAndReleaseAll();
  }

  private void send(String text) {
    channel.writeInbound(new TextWebSocketFrame(text));
  }

  /** The next text frame the socket wrote, parsed. */
  private JsonNode next() {
    return json(nextText(channel));
  }

  /** The payload of the next pre-framed text frame a socket wrote (server frames are unmasked). */
  static String nextText(EmbeddedChannel socket) {
    socket.runPendingTasks();
    Object message = socket.readOutbound();
    assertThat(message).as("next outbound frame").isInstanceOf(ByteBuf.class);
    ByteBuf frame = (ByteBuf) message;
    try {
      assertThat(frame.readUnsignedByte()).as("FIN + text opcode").isEqualTo((short) 0x81);
      int length = frame.readUnsignedByte();
      if (length == 126) {
        length = frame.readUnsignedShort();
      } else if (length == 127) {
        length = (int) frame.readLong();
      }
      assertThat(frame.readableBytes()).isEqualTo(length);
      return frame.toString(StandardCharsets.UTF_8);
    } finally {
      frame.release();
    }
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The payload of the next raw WebSocket frame a change push wrote (server frames are unmasked). */
  private JsonNode nextPush() {
    channel.runPendingTasks();
    Object message = channel.readOutbound();
    assertThat(message).as("next outbound push").isInstanceOf(ByteBuf.class);
    ByteBuf frame = (ByteBuf) message;
    try {
      assertThat(frame.readUnsignedByte()).isEqualTo((short) 0x81);
      int length = frame.readUnsignedByte();
      if (length == 126) {
        length = frame.readUnsignedShort();
      }
      assertThat(frame.readableBytes()).isEqualTo(length);
      return json(frame.toString(StandardCharsets.UTF_8));
    } finally {
      frame.release();
    }
  }

  /** The buffer under every duplicate and leak-detection wrapper. */
  private static ByteBuf root(ByteBuf buf) {
    while (buf.unwrap() != null) {
      buf = buf.unwrap();
    }
    return buf;
  }

  /**
   * realtime-js's check of a join reply ({@code RealtimeChannel.subscribe}): the i-th server binding
   * must have the same event, schema, table and filter as the i-th client binding (both absent
   * counts as the same), else it reports "mismatch between server and client bindings".
   */
  private static void assertRealtimeJsAccepts(JsonNode clientBindings, JsonNode serverBindings) {
    assertThat(serverBindings.size()).isEqualTo(clientBindings.size());
    for (int i = 0; i < clientBindings.size(); i++) {
      for (String field : List.of("event", "schema", "table", "filter")) {
        assertThat(serverBindings.get(i).get(field)).as("binding %d field %s", i, field)
            .isEqualTo(clientBindings.get(i).get(field));
      }
      assertThat(serverBindings.get(i).get("id").isInt()).as("binding %d has a numeric id", i).isTrue();
    }
  }

  @Test
  void heartbeatIsAnswered() {
    send("[null,\"12\",\"phoenix\",\"heartbeat\",{}]");

    assertThat(next()).isEqualTo(json("[null,\"12\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
    assertThat(channel.isActive()).isTrue();
  }

  @Test
  void heartbeatWithSerializer1() {
    useSocket(PhoenixSerializer.V1, 1 << 20);

    send("{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"7\"}");

    assertThat(nextText(channel)).isEqualTo(
        "{\"event\":\"phx_reply\",\"payload\":{\"status\":\"ok\",\"response\":{}},\"ref\":\"7\",\"topic\":\"phoenix\"}");
  }

  @Test
  void joinEchoesTheBindingsWithIdsThenSaysSubscribed() {
    send(JOIN_TWO_BINDINGS);

    JsonNode reply = next();
    assertThat(reply.get(0).asText()).isEqualTo("1");
    assertThat(reply.get(1).asText()).isEqualTo("1");
    assertThat(reply.get(2).asText()).isEqualTo(TOPIC);
    assertThat(reply.get(3).asText()).isEqualTo("phx_reply");
    assertThat(reply.get(4).get("status").asText()).isEqualTo("ok");
    JsonNode server = reply.get(4).get("response").get("postgres_changes");
    JsonNode client = json(JOIN_TWO_BINDINGS).get(4).get("config").get("postgres_changes");
    assertRealtimeJsAccepts(client, server);
    assertThat(server.get(0).get("id").asInt())
        .isEqualTo(PostgresBinding.parse("INSERT", "public", "messages", "room=eq.lobby").id());
    assertThat(server.get(1).get("id").asInt()).isEqualTo(PostgresBinding.parse("*", "public", null, null).id());
    assertThat(server.get(1).has("table")).isFalse();
    assertThat(server.get(1).has("filter")).isFalse();

    assertThat(next()).isEqualTo(json("[\"1\",null,\"realtime:room-lobby\",\"system\",{\"channel\":\"room-lobby\","
        + "\"extension\":\"postgres_changes\",\"message\":\"Subscribed to PostgreSQL\",\"status\":\"ok\"}]"));
    assertThat(index.size()).isEqualTo(2);
  }

  @Test
  void identicalBindingsGetIdenticalIds() {
    send(JOIN_TWO_BINDINGS);
    JsonNode first = next().get(4).get("response").get("postgres_changes");
    next();
    EmbeddedChannel other = socket(PhoenixSerializer.V2, 1 << 20);
    other.writeInbound(new TextWebSocketFrame(JOIN_TWO_BINDINGS));
    assertThat(json(nextText(other)).get(4).get("response").get("postgres_changes")).isEqualTo(first);
    other.finishAndReleaseAll();
  }

  @Test
  void aChangeIsPushedWithTheIdsOfEveryMatchingBinding() {
    send(JOIN_TWO_BINDINGS);
    JsonNode ids = next().get(4).get("response").get("postgres_changes");
    next();

    commit(insert(position(0x16B3748L, 0), MESSAGES, message("1", "lobby", "hello", "0", "f")));
    JsonNode insertPush = nextPush();
    commit(update(position(0x16B3800L, 0), MESSAGES, message("1", "lobby", "edited", "0", "f"), null));
    JsonNode updatePush = nextPush();

    assertThat(insertPush.get(0).isNull()).isTrue();
    assertThat(insertPush.get(2).asText()).isEqualTo(TOPIC);
    assertThat(insertPush.get(3).asText()).isEqualTo("postgres_changes");
    assertThat(insertPush.get(4).get("ids")).isEqualTo(JSON.createArrayNode()
        .add(ids.get(0).get("id").asInt()).add(ids.get(1).get("id").asInt()));
    assertThat(insertPush.get(4).get("data").get("type").asText()).isEqualTo("INSERT");
    assertThat(insertPush.get(4).get("data").get("record").get("body").asText()).isEqualTo("hello");
    assertThat(updatePush.get(4).get("ids")).isEqualTo(JSON.createArrayNode().add(ids.get(1).get("id").asInt()));
    assertThat(updatePush.get(4).get("data").get("type").asText()).isEqualTo("UPDATE");
  }

  @Test
  void joinWithoutPostgresChangesIsAcceptedQuietly() {
    send("[\"3\",\"3\",\"realtime:presence-only\",\"phx_join\",{\"config\":{\"broadcast\":{\"self\":false},"
        + "\"presence\":{\"key\":\"\"},\"postgres_changes\":[],\"private\":false}}]");

    assertThat(next()).isEqualTo(json("[\"3\",\"3\",\"realtime:presence-only\",\"phx_reply\","
        + "{\"status\":\"ok\",\"response\":{\"postgres_changes\":[]}}]"));
    assertThat(channel.outboundMessages()).isEmpty();
    assertThat(index.size()).isZero();
  }

  @Test
  void joinWithABadFilterIsRefusedWithTheReason() {
    send("[\"1\",\"1\",\"realtime:room-lobby\",\"phx_join\",{\"config\":{\"postgres_changes\":["
        + "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\"},"
        + "{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"room=like.lob%\"}]}}]");

    assertThat(next()).isEqualTo(json("[\"1\",\"1\",\"realtime:room-lobby\",\"phx_reply\",{\"status\":\"error\","
        + "\"response\":{\"reason\":\"invalid filter 'room=like.lob%': unknown operator 'like' "
        + "(supported: eq, neq, lt, lte, gt, gte, in)\"}}]"));
    assertThat(channel.outboundMessages()).isEmpty();
    assertThat(index.size()).isZero();
  }

  @Test
  void joinWithABadEventOrWithoutSchemaIsRefused() {
    send("[\"1\",\"1\",\"realtime:t1\",\"phx_join\",{\"config\":{\"postgres_changes\":[{\"event\":\"UPSERT\",\"schema\":\"public\"}]}}]");
    send("[\"2\",\"2\",\"realtime:t2\",\"phx_join\",{\"config\":{\"postgres_changes\":[{\"event\":\"*\",\"table\":\"messages\"}]}}]");

    assertThat(next().get(4).get("response").get("reason").asText())
        .isEqualTo("invalid event 'UPSERT': expected INSERT, UPDATE, DELETE, TRUNCATE or *");
    assertThat(next().get(4).get("response").get("reason").asText()).isEqualTo("postgres_changes needs a schema");
    assertThat(index.size()).isZero();
  }

  @Test
  void rejoiningATopicReplacesItsBindings() {
    send(JOIN_TWO_BINDINGS);
    next();
    next();

    send("[\"4\",\"4\",\"realtime:room-lobby\",\"phx_join\",{\"config\":{\"postgres_changes\":["
        + "{\"event\":\"DELETE\",\"schema\":\"public\",\"table\":\"messages\"}]}}]");
    // Phoenix closes the first join of the topic, then answers the second.
    assertThat(next()).isEqualTo(json("[\"1\",\"1\",\"realtime:room-lobby\",\"phx_close\",{}]"));
    assertThat(next().get(4).get("status").asText()).isEqualTo("ok");
    next();

    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void leaveRepliesThenClosesTheChannelAndUnsubscribes() {
    send(JOIN_TWO_BINDINGS);
    next();
    next();

    send("[\"1\",\"5\",\"realtime:room-lobby\",\"phx_leave\",{}]");

    assertThat(next()).isEqualTo(json("[\"1\",\"5\",\"realtime:room-lobby\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
    assertThat(next()).isEqualTo(json("[\"1\",\"1\",\"realtime:room-lobby\",\"phx_close\",{}]"));
    assertThat(index.size()).isZero();
    commit(insert(position(0x16B3748L, 0), MESSAGES, message("1", "lobby", "hello", "0", "f")));
    channel.runPendingTasks();
    assertThat(channel.outboundMessages()).isEmpty();
  }

  @Test
  void leavingATopicNotJoinedIsJustAcknowledged() {
    send("[\"9\",\"9\",\"realtime:elsewhere\",\"phx_leave\",{}]");

    assertThat(next()).isEqualTo(json("[\"9\",\"9\",\"realtime:elsewhere\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
  }

  @Test
  void closingTheSocketUnsubscribesEveryChannel() {
    send(JOIN_TWO_BINDINGS);
    send("[\"2\",\"2\",\"realtime:room-kitchen\",\"phx_join\",{\"config\":{\"postgres_changes\":["
        + "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"room=eq.kitchen\"}]}}]");
    for (int i = 0; i < 4; i++) {
      next();
    }
    assertThat(index.size()).isEqualTo(3);

    channel.close();

    assertThat(index.size()).isZero();
  }

  @Test
  void unknownEventGetsAnErrorReply() {
    send(JOIN_TWO_BINDINGS);
    next();
    next();
    send("[\"1\",\"8\",\"realtime:room-lobby\",\"custom_event\",{\"a\":1}]");

    assertThat(next()).isEqualTo(json("[\"1\",\"8\",\"realtime:room-lobby\",\"phx_reply\",{\"status\":\"error\","
        + "\"response\":{\"reason\":\"unknown event 'custom_event'\"}}]"));
    assertThat(channel.isActive()).isTrue();
  }

  @Test
  void anEventOnATopicNotJoinedIsAnUnmatchedTopic() {
    send("[\"1\",\"8\",\"realtime:nowhere\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");

    assertThat(next()).isEqualTo(json("[\"1\",\"8\",\"realtime:nowhere\",\"phx_reply\",{\"status\":\"error\","
        + "\"response\":{\"reason\":\"unmatched topic\"}}]"));
  }

  @Test
  void aJoinWithoutATopicNameIsRefused() {
    send("[\"1\",\"1\",\"realtime:\",\"phx_join\",{\"config\":{}}]");

    assertThat(next().get(4).get("response").get("reason").asText())
        .isEqualTo("TopicNameRequired: You must provide a topic name");
  }

  @Test
  void accessTokenRefreshIsAcceptedSilently() {
    send(JOIN_TWO_BINDINGS);
    next();
    next();
    send("[\"1\",\"9\",\"realtime:room-lobby\",\"access_token\",{\"access_token\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\"}]");

    assertThat(channel.outboundMessages()).isEmpty();
  }

  @Test
  void malformedMessagesAreIgnoredAndTheSocketStaysOpen() {
    send("{not json");
    send("{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"1\"}"); // a v1 message on v2
    send("[null,\"1\",42,\"heartbeat\",{}]");
    channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));

    assertThat(channel.outboundMessages()).isEmpty();
    assertThat(channel.isActive()).isTrue();

    send("[null,\"2\",\"phoenix\",\"heartbeat\",{}]");
    assertThat(next().get(3).asText()).isEqualTo("phx_reply");
  }

  @Test
  void aClientTooFarBehindIsClosedWithTheSlowClientCode() {
    // 100 bytes of budget: the join's replies fit under 64 times that, a push of 8 KB does not.
    useSocket(PhoenixSerializer.V2, 100);
    send(JOIN_TWO_BINDINGS);
    next();
    next();

    commit(insert(position(0x16B3748L, 0), MESSAGES, message("1", "lobby", "x".repeat(8000), "0", "f")));
    channel.runPendingTasks();

    Object close = channel.readOutbound();
    assertThat(close).isInstanceOf(CloseWebSocketFrame.class);
    assertThat(((CloseWebSocketFrame) close).statusCode()).isEqualTo(PhoenixSocketHandler.SLOW_CLIENT_CLOSE_CODE);
    assertThat(((CloseWebSocketFrame) close).reasonText()).isEqualTo(PhoenixSocketHandler.SLOW_CLIENT_REASON);
    ((CloseWebSocketFrame) close).release();
    assertThat(channel.isOpen()).isFalse();
    assertThat(channels.connectionMetrics.slowClientsClosed()).isEqualTo(1);
    assertThat(index.size()).isZero();
  }

  @Test
  void framesSentToTheSameTopicOnTwoSocketsAreTheSameBytes() {
    EmbeddedChannel other = socket(PhoenixSerializer.V2, 1 << 20);
    send(JOIN_TWO_BINDINGS);
    other.writeInbound(new TextWebSocketFrame(JOIN_TWO_BINDINGS));
    next();
    next();
    nextText(other);
    nextText(other);

    commit(insert(position(0x16B3748L, 0), MESSAGES, message("1", "lobby", "hello", "0", "f")));
    channel.runPendingTasks();
    other.runPendingTasks();
    ByteBuf mine = channel.readOutbound();
    ByteBuf theirs = other.readOutbound();

    try {
      assertThat(mine).isNotSameAs(theirs);
      assertThat(root(mine)).isSameAs(root(theirs));
    } finally {
      mine.release();
      theirs.release();
    }
    other.finishAndReleaseAll();
  }
}
