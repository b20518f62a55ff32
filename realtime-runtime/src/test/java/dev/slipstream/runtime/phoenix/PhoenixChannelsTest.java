package dev.slipstream.runtime.phoenix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TestTokens;
import dev.slipstream.runtime.change.ChangeFixtures;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.AccessPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Broadcast, presence, tokens and limits on Phoenix channels, several sockets at a time, with the
 * frames realtime-js 2.119.0 sends (captured from the real client) and expects.
 */
class PhoenixChannelsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private TestChannels channels = TestChannels.open();
  private final List<EmbeddedChannel> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    sockets.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private EmbeddedChannel socket(PhoenixSerializer serializer) {
    EmbeddedChannel socket = channels.socket(serializer);
    sockets.add(socket);
    return socket;
  }

  private EmbeddedChannel socket(String token) {
    Claims claims = null;
    try {
      claims = channels.context.verifier().verify(token);
    } catch (Exception e) {
      // joins will re-verify and refuse
    }
    EmbeddedChannel socket = channels.socket(PhoenixSerializer.V2, token, claims);
    sockets.add(socket);
    return socket;
  }

  private static void send(EmbeddedChannel socket, String text) {
    socket.writeInbound(new TextWebSocketFrame(text));
  }

  private static String join(String joinRef, String topic, String config) {
    return "[\"" + joinRef + "\",\"" + joinRef + "\",\"" + topic + "\",\"phx_join\",{\"config\":" + config + "}]";
  }

  private static String joinWithToken(String joinRef, String topic, String config, String token) {
    return "[\"" + joinRef + "\",\"" + joinRef + "\",\"" + topic + "\",\"phx_join\",{\"config\":" + config
        + ",\"access_token\":\"" + token + "\"}]";
  }

  /** Every message the socket has written so far, text frames and raw pre-framed buffers alike, decoded. */
  private static List<JsonNode> drain(EmbeddedChannel socket) {
    socket.runPendingTasks();
    List<JsonNode> messages = new ArrayList<>();
    Object message;
    while ((message = socket.readOutbound()) != null) {
      messages.add(decode(message));
    }
    return messages;
  }

  /** Text frames as JSON; a raw binary kind-4 frame as {"kind":4,"topic","event","payload"}. */
  private static JsonNode decode(Object message) {
    try {
      if (message instanceof TextWebSocketFrame text) {
        return JSON.readTree(text.text());
      }
      ByteBuf frame = (ByteBuf) message;
      int opcode = frame.readUnsignedByte();
      int length = frame.readUnsignedByte();
      if (length == 126) {
        length = frame.readUnsignedShort();
      }
      assertThat(frame.readableBytes()).isEqualTo(length);
      if (opcode == 0x81) {
        return JSON.readTree(frame.toString(StandardCharsets.UTF_8));
      }
      assertThat(opcode).isEqualTo(0x82);
      int kind = frame.readUnsignedByte();
      int topicLength = frame.readUnsignedByte();
      int eventLength = frame.readUnsignedByte();
      int metaLength = frame.readUnsignedByte();
      int encoding = frame.readUnsignedByte();
      String topic = frame.readCharSequence(topicLength, StandardCharsets.UTF_8).toString();
      String event = frame.readCharSequence(eventLength, StandardCharsets.UTF_8).toString();
      frame.skipBytes(metaLength);
      String payload = frame.readCharSequence(frame.readableBytes(), StandardCharsets.UTF_8).toString();
      return JSON.createObjectNode().put("kind", kind).put("topic", topic).put("event", event)
          .put("encoding", encoding).set("payload", JSON.readTree(payload));
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      io.netty.util.ReferenceCountUtil.release(message);
    }
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---- broadcast ------------------------------------------------------------------------------

  @Test
  void aBroadcastReachesTheOtherMembersButNotTheSenderWithoutSelf() {
    EmbeddedChannel alice = socket(PhoenixSerializer.V2);
    EmbeddedChannel bob = socket(PhoenixSerializer.V2);
    EmbeddedChannel carol = socket(PhoenixSerializer.V2);
    send(alice, join("1", "realtime:room1", "{\"broadcast\":{\"ack\":false,\"self\":false}}"));
    send(bob, join("1", "realtime:room1", "{}"));
    send(carol, join("1", "realtime:other", "{}"));
    drain(alice);
    drain(bob);
    drain(carol);

    send(alice, "[\"1\",\"2\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"Cursor\","
        + "\"payload\":{\"x\":1}}]");

    assertThat(drain(alice)).as("no ack asked, no self").isEmpty();
    assertThat(drain(bob)).containsExactly(json("[null,null,\"realtime:room1\",\"broadcast\","
        + "{\"type\":\"broadcast\",\"event\":\"Cursor\",\"payload\":{\"x\":1}}]"));
    assertThat(drain(carol)).isEmpty();
  }

  @Test
  void selfAndAckBringTheSenderItsOwnBroadcastAndAnOkReply() {
    EmbeddedChannel alice = socket(PhoenixSerializer.V2);
    send(alice, join("1", "realtime:room1", "{\"broadcast\":{\"self\":true,\"ack\":true}}"));
    drain(alice);

    send(alice, "[\"1\",\"2\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");

    assertThat(drain(alice)).containsExactly(
        json("[null,null,\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]"),
        json("[\"1\",\"2\",\"realtime:room1\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
  }

  @Test
  void aBinaryBroadcastGoesOutAsKind4ToV2AndAsTextToV1() {
    EmbeddedChannel sender = socket(PhoenixSerializer.V2);
    EmbeddedChannel v2 = socket(PhoenixSerializer.V2);
    EmbeddedChannel v1 = socket(PhoenixSerializer.V1);
    send(sender, join("6", "realtime:room1", "{\"broadcast\":{\"ack\":true}}"));
    send(v2, join("1", "realtime:room1", "{}"));
    send(v1, "{\"topic\":\"realtime:room1\",\"event\":\"phx_join\",\"payload\":{\"config\":{}},\"ref\":\"1\",\"join_ref\":\"1\"}");
    drain(sender);
    drain(v2);
    drain(v1);

    // Captured from realtime-js 2.119.0: send({type:'broadcast', event:'ev', payload:{hello:'wörld'}}).
    byte[] frame = java.util.HexFormat.of().parseHex(
        "0301010e02000136377265616c74696d653a726f6f6d3165767b2268656c6c6f223a2277c3b6726c64227d");
    sender.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame)));

    assertThat(drain(sender)).containsExactly(
        json("[\"6\",\"7\",\"realtime:room1\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
    assertThat(drain(v2)).containsExactly(json("{\"kind\":4,\"topic\":\"realtime:room1\",\"event\":\"ev\","
        + "\"encoding\":1,\"payload\":{\"hello\":\"wörld\"}}"));
    assertThat(drain(v1)).containsExactly(json("{\"event\":\"broadcast\",\"payload\":{\"type\":\"broadcast\","
        + "\"event\":\"ev\",\"payload\":{\"hello\":\"wörld\"}},\"ref\":null,\"topic\":\"realtime:room1\"}"));
  }

  @Test
  void anOversizedBroadcastIsRefusedWithAckAndCounted() {
    channels = new TestChannels(AuthSettings.disabled(), AccessPolicy.NONE, new TenantLimits(10, 10, 100, 100, 16),
        Clock.systemUTC(), 1 << 20);
    EmbeddedChannel alice = socket(PhoenixSerializer.V2);
    EmbeddedChannel bob = socket(PhoenixSerializer.V2);
    send(alice, join("1", "realtime:room1", "{\"broadcast\":{\"ack\":true}}"));
    send(bob, join("1", "realtime:room1", "{}"));
    drain(alice);
    drain(bob);

    send(alice, "[\"1\",\"2\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\","
        + "\"payload\":{\"text\":\"far more than sixteen bytes\"}}]");

    assertThat(drain(alice)).containsExactly(json("[\"1\",\"2\",\"realtime:room1\",\"phx_reply\","
        + "{\"status\":\"error\",\"response\":\"payload_size_exceeded\"}]"));
    assertThat(drain(bob)).isEmpty();
    assertThat(channels.limitMetrics.count(Limit.MAX_PAYLOAD_BYTES)).isEqualTo(1);
  }

  @Test
  void aBroadcastFromTheDatabaseReachesTheTopic() {
    EmbeddedChannel bob = socket(PhoenixSerializer.V2);
    send(bob, join("1", "realtime:room1", "{}"));
    drain(bob);

    new DatabaseBroadcasts(channels.topics).accept(ChangeFixtures.databaseMessage(ChangeFixtures.position(1, 0),
        DatabaseBroadcasts.PREFIX, "{\"topic\":\"room1\",\"event\":\"new-order\",\"payload\":{\"id\":42}}"));
    new DatabaseBroadcasts(channels.topics).accept(ChangeFixtures.databaseMessage(ChangeFixtures.position(2, 0),
        DatabaseBroadcasts.PREFIX, "not json"));
    new DatabaseBroadcasts(channels.topics).accept(ChangeFixtures.databaseMessage(ChangeFixtures.position(3, 0),
        "someone.else", "{\"topic\":\"room1\",\"event\":\"x\"}"));

    assertThat(drain(bob)).containsExactly(json("[null,null,\"realtime:room1\",\"broadcast\","
        + "{\"type\":\"broadcast\",\"event\":\"new-order\",\"payload\":{\"id\":42}}]"));
  }

  @Test
  void publicAndPrivateChannelsOfOneNameAreSeparateTopics() {
    channels = new TestChannels(AuthSettings.withSecret(TestTokens.SECRET), AccessPolicy.NONE, TenantLimits.DEFAULTS,
        CLOCK, 1 << 20);
    String token = TestTokens.hs256(TestTokens.SECRET, "authenticated", NOW.plusSeconds(3600));
    EmbeddedChannel inPublic = socket(token);
    EmbeddedChannel inPrivate = socket(token);
    send(inPublic, join("1", "realtime:room1", "{\"broadcast\":{\"self\":true}}"));
    send(inPrivate, join("1", "realtime:room1", "{\"private\":true}"));
    drain(inPublic);
    assertThat(drain(inPrivate).getFirst().get(4).get("status").asText()).isEqualTo("ok");

    send(inPublic, "[\"1\",\"2\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");

    assertThat(drain(inPublic)).hasSize(1);
    assertThat(drain(inPrivate)).isEmpty();
  }

  // ---- presence -------------------------------------------------------------------------------

  @Test
  void presenceStateOnJoinThenDiffsForTrackUntrackAndLeave() {
    EmbeddedChannel alice = socket(PhoenixSerializer.V2);
    EmbeddedChannel bob = socket(PhoenixSerializer.V2);
    send(alice, join("1", "realtime:room1", "{\"presence\":{\"key\":\"alice\",\"enabled\":true}}"));
    List<JsonNode> aliceJoin = drain(alice);
    assertThat(aliceJoin).hasSize(2);
    assertThat(aliceJoin.get(1)).isEqualTo(json("[\"1\",null,\"realtime:room1\",\"presence_state\",{}]"));

    send(alice, "[\"1\",\"2\",\"realtime:room1\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{\"name\":\"Alice\"}}]");
    List<JsonNode> afterTrack = drain(alice);
    assertThat(afterTrack.get(0).get(3).asText()).isEqualTo("presence_diff");
    JsonNode aliceMeta = afterTrack.get(0).get(4).get("joins").get("alice").get("metas").get(0);
    assertThat(aliceMeta.get("name").asText()).isEqualTo("Alice");
    assertThat(aliceMeta.get("phx_ref").asText()).isNotEmpty();
    assertThat(afterTrack.get(0).get(4).get("leaves")).isEqualTo(json("{}"));
    assertThat(afterTrack.get(1)).isEqualTo(json("[\"1\",\"2\",\"realtime:room1\",\"phx_reply\","
        + "{\"status\":\"ok\",\"response\":{}}]"));

    // Bob joins later: the state has Alice.
    send(bob, join("3", "realtime:room1", "{\"presence\":{\"key\":\"bob\",\"enabled\":true}}"));
    List<JsonNode> bobJoin = drain(bob);
    assertThat(bobJoin.get(1).get(3).asText()).isEqualTo("presence_state");
    assertThat(bobJoin.get(1).get(0).asText()).isEqualTo("3");
    assertThat(bobJoin.get(1).get(4).get("alice").get("metas").get(0)).isEqualTo(aliceMeta);

    // Alice re-tracks: one diff with her new meta joining and the old one leaving.
    send(alice, "[\"1\",\"4\",\"realtime:room1\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{\"name\":\"Alice\",\"typing\":true}}]");
    JsonNode retrack = drain(bob).getFirst().get(4);
    assertThat(retrack.get("joins").get("alice").get("metas").get(0).get("phx_ref_prev").asText())
        .isEqualTo(aliceMeta.get("phx_ref").asText());
    assertThat(retrack.get("leaves").get("alice").get("metas").get(0)).isEqualTo(aliceMeta);
    drain(alice);

    // Alice's socket dies: Bob sees her leave.
    alice.close();
    JsonNode leave = drain(bob).getFirst().get(4);
    assertThat(leave.get("joins")).isEqualTo(json("{}"));
    assertThat(leave.get("leaves").get("alice").get("metas").get(0).get("typing").asBoolean()).isTrue();
  }

  @Test
  void untrackIsALeaveAndANonObjectTrackIsRefused() {
    EmbeddedChannel alice = socket(PhoenixSerializer.V2);
    send(alice, join("1", "realtime:room1", "{\"presence\":{\"key\":\"alice\",\"enabled\":true}}"));
    drain(alice);
    send(alice, "[\"1\",\"2\",\"realtime:room1\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":[1]}]");
    assertThat(drain(alice)).containsExactly(json("[\"1\",\"2\",\"realtime:room1\",\"phx_reply\",{\"status\":\"error\","
        + "\"response\":{\"reason\":\"Presence track payload must be a map\"}}]"));

    send(alice, "[\"1\",\"3\",\"realtime:room1\",\"presence\",{\"type\":\"presence\",\"event\":\"track\",\"payload\":{}}]");
    drain(alice);
    send(alice, "[\"1\",\"4\",\"realtime:room1\",\"presence\",{\"type\":\"presence\",\"event\":\"untrack\"}]");
    List<JsonNode> untrack = drain(alice);
    assertThat(untrack.get(0).get(4).get("leaves").has("alice")).isTrue();
    assertThat(untrack.get(1).get(4).get("status").asText()).isEqualTo("ok");
  }

  // ---- tokens ---------------------------------------------------------------------------------

  private void requireTokens() {
    channels = new TestChannels(AuthSettings.withSecret(TestTokens.SECRET), AccessPolicy.NONE, TenantLimits.DEFAULTS,
        CLOCK, 1 << 20);
  }

  @Test
  void anExpiredAccessTokenInAJoinIsRefusedWithSupabasesReason() {
    requireTokens();
    EmbeddedChannel socket = socket(TestTokens.hs256(TestTokens.SECRET, "anon", NOW.plusSeconds(3600)));
    send(socket, joinWithToken("1", "realtime:room1", "{}",
        TestTokens.hs256(TestTokens.SECRET, "authenticated", NOW.minusSeconds(12))));

    assertThat(drain(socket)).containsExactly(json("[\"1\",\"1\",\"realtime:room1\",\"phx_reply\",{\"status\":\"error\","
        + "\"response\":{\"reason\":\"InvalidJWTToken: Token has expired 12 seconds ago\"}}]"));
  }

  @Test
  void aWronglySignedAccessTokenInAJoinIsRefused() {
    requireTokens();
    EmbeddedChannel socket = socket(TestTokens.hs256(TestTokens.SECRET, "anon", NOW.plusSeconds(3600)));
    send(socket, joinWithToken("1", "realtime:room1", "{}",
        TestTokens.hs256("another-secret-that-is-at-least-32-characters", "authenticated", NOW.plusSeconds(60))));

    assertThat(drain(socket).getFirst().get(4).get("response").get("reason").asText())
        .isEqualTo("JwtSignatureError: Failed to validate JWT signature");
  }

  @Test
  void aPrivateChannelNeedsMoreThanTheAnonymousKey() {
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:room1", "{\"private\":true}"));

    assertThat(drain(socket).getFirst().get(4).get("response").get("reason").asText())
        .isEqualTo("Unauthorized: You do not have permissions to read from this Channel topic: room1");
  }

  @Test
  void aRefreshWithABadTokenEndsTheChannelWithASystemMessageThenClose() {
    requireTokens();
    String good = TestTokens.hs256(TestTokens.SECRET, "authenticated", NOW.plusSeconds(3600));
    EmbeddedChannel socket = socket(good);
    send(socket, join("1", "realtime:room1", "{}"));
    drain(socket);

    send(socket, "[\"1\",\"2\",\"realtime:room1\",\"access_token\",{\"access_token\":\""
        + TestTokens.hs256(TestTokens.SECRET, "authenticated", NOW.minusSeconds(5)) + "\"}]");

    assertThat(drain(socket)).containsExactly(
        json("[\"1\",null,\"realtime:room1\",\"system\",{\"extension\":\"system\",\"status\":\"error\","
            + "\"message\":\"Token has expired 5 seconds ago\",\"channel\":\"room1\"}]"),
        json("[\"1\",\"1\",\"realtime:room1\",\"phx_close\",{}]"));
    send(socket, "[\"1\",\"3\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{}}]");
    assertThat(drain(socket).getFirst().get(4).get("response").get("reason").asText()).isEqualTo("unmatched topic");
  }

  @Test
  void aGoodRefreshIsSilentAndAnUnchangedOrOpaqueOneIgnored() {
    requireTokens();
    String good = TestTokens.hs256(TestTokens.SECRET, "authenticated", NOW.plusSeconds(3600));
    EmbeddedChannel socket = socket(good);
    send(socket, join("1", "realtime:room1", "{}"));
    drain(socket);

    send(socket, "[\"1\",\"2\",\"realtime:room1\",\"access_token\",{\"access_token\":\""
        + TestTokens.hs256(TestTokens.SECRET, "authenticated", NOW.plusSeconds(7200)) + "\"}]");
    send(socket, "[\"1\",\"3\",\"realtime:room1\",\"access_token\",{\"access_token\":\"sb_publishable_x\"}]");
    send(socket, "[\"1\",\"4\",\"realtime:room1\",\"access_token\",{\"access_token\":null}]");

    assertThat(drain(socket)).isEmpty();
  }

  // ---- subscriptions checked against the publications ----------------------------------------

  @Test
  void aJoinIsCheckedAgainstThePublishedTablesColumnsAndTypes() {
    channels.catalog = new dev.slipstream.runtime.route.PublishedColumns(java.util.Map.of(
        "public.messages", java.util.Map.of("id", 20, "room", 25, "pinned", 16)));
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    String[][] cases = {
        {"{\"event\":\"*\",\"schema\":\"public\",\"table\":\"nope\"}",
            "table public.nope is not in this tenant's publications"},
        {"{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"colour=eq.red\"}",
            "column \"colour\" does not exist in public.messages (or is not published)"},
        {"{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"id=eq.abc\"}",
            "invalid filter 'id=eq.abc': invalid input syntax for type bigint: \"abc\""},
        {"{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"pinned=in.(t,maybe)\"}",
            "invalid filter 'pinned=in.(t,maybe)': invalid input syntax for type boolean: \"maybe\""},
        {"{\"event\":\"*\",\"schema\":\"billing\"}", "no table of schema billing is in this tenant's publications"}};
    for (String[] c : cases) {
      send(socket, join("1", "realtime:room1", "{\"postgres_changes\":[" + c[0] + "]}"));
      assertThat(drain(socket).getFirst().get(4).get("response").get("reason").asText()).isEqualTo(c[1]);
    }
    send(socket, join("1", "realtime:room1",
        "{\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\",\"filter\":\"id=in.(1,2)\"}]}"));
    assertThat(drain(socket).getFirst().get(4).get("status").asText()).isEqualTo("ok");
    assertThat(channels.index.size()).isEqualTo(1);
  }

  @Test
  void aJoinNamingATableTheSnapshotLacksIsCheckedAgainstAFreshReadAndWhatFollowsWaitsForItsReply() {
    channels.catalog = new dev.slipstream.runtime.route.PublishedColumns(java.util.Map.of(
        "public.messages", java.util.Map.of("id", 20)));
    channels.holdReads = true;
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:rooms",
        "{\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"rooms\"}]}"));
    send(socket, "[null,\"2\",\"phoenix\",\"heartbeat\",{}]");
    send(socket, "[\"1\",\"3\",\"realtime:rooms\",\"phx_leave\",{}]");
    assertThat(drain(socket)).as("nothing answered while the catalog is read again").isEmpty();
    assertThat(channels.reads).hasSize(1);

    // The operator added the table to the publication since the snapshot.
    channels.catalog = new dev.slipstream.runtime.route.PublishedColumns(java.util.Map.of(
        "public.messages", java.util.Map.of("id", 20), "public.rooms", java.util.Map.of("id", 20)));
    channels.reads.poll().complete(channels.catalog);
    List<JsonNode> replies = drain(socket);
    assertThat(replies).extracting(m -> m.get(1).asText() + ":" + m.get(3).asText() + ":"
            + m.get(4).path("status").asText())
        .containsExactly("1:phx_reply:ok", "null:system:ok", "2:phx_reply:ok", "3:phx_reply:ok", "1:phx_close:");
    assertThat(channels.index.size()).as("left again, in the order the client sent").isZero();

    // A table that is still not published is refused after the fresh read, with the reason.
    send(socket, join("4", "realtime:nope",
        "{\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"nope\"}]}"));
    channels.reads.poll().complete(channels.catalog);
    assertThat(drain(socket).getFirst().get(4).get("response").get("reason").asText())
        .isEqualTo("table public.nope is not in this tenant's publications");
    // A join the snapshot allows reads nothing.
    int reads = channels.readCount.get();
    send(socket, join("5", "realtime:messages",
        "{\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\"}]}"));
    assertThat(drain(socket).getFirst().get(4).get("status").asText()).isEqualTo("ok");
    assertThat(channels.readCount.get()).isEqualTo(reads);
  }

  @Test
  void aSocketSendingTooMuchWhileAJoinWaitsIsClosed() {
    channels.catalog = new dev.slipstream.runtime.route.PublishedColumns(java.util.Map.of(
        "public.messages", java.util.Map.of("id", 20)));
    channels.holdReads = true;
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:rooms",
        "{\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"rooms\"}]}"));
    for (int i = 0; i <= HeldFrames.MAX; i++) {
      send(socket, "[null,\"h" + i + "\",\"phoenix\",\"heartbeat\",{}]");
    }
    socket.runPendingTasks();
    assertThat(socket.isOpen()).isFalse();
    channels.reads.poll().complete(channels.catalog); // answered after the close: nothing happens
    socket.runPendingTasks();
  }

  // ---- resume ---------------------------------------------------------------------------------

  private static final String MESSAGES_BINDING =
      "{\"postgres_changes\":[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"messages\"}]";

  private void committed(long lsn, String id) {
    channels.fanOut.accept(ChangeFixtures.insert(ChangeFixtures.position(lsn, 0), ChangeFixtures.MESSAGES,
        ChangeFixtures.message(id, "lobby", "body " + id, "0", "f")));
    channels.fanOut.committed(lsn);
  }

  private static List<String> pushedIds(List<JsonNode> messages) {
    return messages.stream().filter(m -> m.get(3).asText().equals("postgres_changes"))
        .map(m -> m.get(4).get("data").get("record").get("id").asText()).toList();
  }

  @Test
  void aPushCarriesItsPositionAndARejoinWithItReplaysWhatWasMissedOnce() {
    EmbeddedChannel first = socket(PhoenixSerializer.V2);
    send(first, join("1", "realtime:room1", MESSAGES_BINDING + "}"));
    drain(first);
    committed(0x100, "1");
    String seen = drain(first).getFirst().get(4).get("position").asText();
    assertThat(seen).isEqualTo("0000000000000100-0");
    first.close();
    committed(0x200, "2");
    committed(0x300, "3");

    EmbeddedChannel again = socket(PhoenixSerializer.V2);
    send(again, join("2", "realtime:room1", MESSAGES_BINDING + ",\"resume_after\":\"" + seen + "\"}"));
    // Routed live while the replay is being decided: delivered once, after the replayed ones.
    committed(0x300, "3");
    committed(0x400, "4");

    List<JsonNode> messages = drain(again);
    assertThat(messages.get(0).get(4).get("status").asText()).isEqualTo("ok");
    assertThat(pushedIds(messages)).containsExactly("2", "3", "4");
  }

  @Test
  void aRejoinFromBeyondTheRingIsToldThereIsAGap() {
    for (int i = 1; i <= 20; i++) {
      committed(0x1000L * i, String.valueOf(i)); // the ring holds 16
    }
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:room1", MESSAGES_BINDING + ",\"resume_after\":\"0000000000001000-0\"}"));
    committed(0x100000, "21");

    List<JsonNode> messages = drain(socket);
    assertThat(messages).anySatisfy(m -> {
      assertThat(m.get(3).asText()).isEqualTo("system");
      assertThat(m.get(4).get("status").asText()).isEqualTo("gap");
      assertThat(m.get(4).get("extension").asText()).isEqualTo("postgres_changes");
    });
    assertThat(pushedIds(messages)).containsExactly("21");
  }

  @Test
  void aMalformedResumePositionIsRefused() {
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:room1", MESSAGES_BINDING + ",\"resume_after\":\"yesterday\"}"));
    assertThat(drain(socket).getFirst().get(4).get("response").get("reason").asText())
        .isEqualTo("config.resume_after 'yesterday' is not a position (the \"position\" of a postgres_changes push)");
  }

  // ---- limits ---------------------------------------------------------------------------------

  @Test
  void joinsOverTheChannelLimitAreRefused() {
    channels = new TestChannels(AuthSettings.disabled(), AccessPolicy.NONE, new TenantLimits(10, 2, 100, 100, 1024),
        Clock.systemUTC(), 1 << 20);
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:a", "{}"));
    send(socket, join("2", "realtime:b", "{}"));
    send(socket, join("3", "realtime:c", "{}"));

    List<JsonNode> replies = drain(socket);
    assertThat(replies).hasSize(3);
    assertThat(replies.get(2)).isEqualTo(json("[\"3\",\"3\",\"realtime:c\",\"phx_reply\",{\"status\":\"error\","
        + "\"response\":{\"reason\":\"ChannelRateLimitReached: Too many channels\"}}]"));
    assertThat(channels.limitMetrics.count(Limit.MAX_CHANNELS_PER_CLIENT)).isEqualTo(1);
  }

  @Test
  void joinsOverTheRateAreRefused() {
    channels = new TestChannels(AuthSettings.disabled(), AccessPolicy.NONE, new TenantLimits(10, 100, 3, 100, 1024),
        Clock.systemUTC(), 1 << 20);
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    // Far more than 3 in well under a second, unless the machine stalls across a second boundary:
    // then at most 6 pass.
    for (int i = 0; i < 20; i++) {
      send(socket, join(String.valueOf(i), "realtime:t" + i, "{}"));
    }
    long refused = drain(socket).stream()
        .filter(reply -> reply.get(4).path("response").path("reason").asText().equals(
            "ClientJoinRateLimitReached: Too many joins per second")).count();
    assertThat(refused).isGreaterThanOrEqualTo(14);
  }

  @Test
  void messagesOverTheRateEndTheChannel() {
    channels = new TestChannels(AuthSettings.disabled(), AccessPolicy.NONE, new TenantLimits(10, 100, 100, 5, 1024),
        Clock.systemUTC(), 1 << 20);
    EmbeddedChannel socket = socket(PhoenixSerializer.V2);
    send(socket, join("1", "realtime:room1", "{}"));
    drain(socket);
    for (int i = 0; i < 20; i++) {
      send(socket, "[\"1\",\"" + (i + 2) + "\",\"realtime:room1\",\"broadcast\",{\"type\":\"broadcast\","
          + "\"event\":\"e\",\"payload\":{}}]");
    }
    List<JsonNode> messages = drain(socket);
    assertThat(messages).anySatisfy(m -> assertThat(m.get(4).path("message").asText())
        .isEqualTo("Too many messages per second"));
    assertThat(messages).anySatisfy(m -> assertThat(m.get(3).asText()).isEqualTo("phx_close"));
    assertThat(channels.limitMetrics.count(Limit.MAX_EVENTS_PER_SECOND)).isGreaterThanOrEqualTo(1);
  }
}
