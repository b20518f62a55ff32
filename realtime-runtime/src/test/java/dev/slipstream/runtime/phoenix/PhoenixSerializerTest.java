package dev.slipstream.runtime.phoenix;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.payload.ChangeJsonEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PhoenixSerializerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static final PhoenixMessage REPLY = new PhoenixMessage("1", "2", "realtime:room-lobby", "phx_reply",
      (ObjectNode) json("{\"status\":\"ok\",\"response\":{\"postgres_changes\":[]}}"));

  @Test
  void vsnSelectsTheSerializer() {
    assertThat(PhoenixSerializer.forVsn(null)).isEqualTo(PhoenixSerializer.V1);
    assertThat(PhoenixSerializer.forVsn("1.0.0")).isEqualTo(PhoenixSerializer.V1);
    assertThat(PhoenixSerializer.forVsn("2.0.0")).isEqualTo(PhoenixSerializer.V2);
    assertThat(PhoenixSerializer.V2.vsn()).isEqualTo("2.0.0");
    assertThatIllegalArgumentException().isThrownBy(() -> PhoenixSerializer.forVsn("3.0.0"))
        .withMessage("unsupported serializer vsn '3.0.0' (supported: 1.0.0, 2.0.0)");
  }

  @Test
  void v1DecodesObjects() {
    PhoenixMessage message = PhoenixSerializer.V1.decode("{\"topic\":\"realtime:room-lobby\",\"event\":\"phx_join\","
        + "\"payload\":{\"config\":{\"private\":false}},\"ref\":\"2\",\"join_ref\":\"1\"}");

    assertThat(message).isEqualTo(new PhoenixMessage("1", "2", "realtime:room-lobby", "phx_join",
        json("{\"config\":{\"private\":false}}")));
  }

  @Test
  void v1WithoutJoinRefOrPayload() {
    PhoenixMessage heartbeat = PhoenixSerializer.V1.decode("{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"ref\":\"7\"}");

    assertThat(heartbeat.joinRef()).isNull();
    assertThat(heartbeat.ref()).isEqualTo("7");
    assertThat(heartbeat.payload()).isEqualTo(JSON.createObjectNode());
  }

  @Test
  void v2DecodesArrays() {
    PhoenixMessage message = PhoenixSerializer.V2.decode(
        "[\"1\",\"2\",\"realtime:room-lobby\",\"phx_join\",{\"config\":{\"private\":false}}]");

    assertThat(message).isEqualTo(new PhoenixMessage("1", "2", "realtime:room-lobby", "phx_join",
        json("{\"config\":{\"private\":false}}")));
  }

  @Test
  void v2NullRefsAndNullPayload() {
    PhoenixMessage heartbeat = PhoenixSerializer.V2.decode("[null,\"3\",\"phoenix\",\"heartbeat\",null]");

    assertThat(heartbeat.joinRef()).isNull();
    assertThat(heartbeat.ref()).isEqualTo("3");
    assertThat(heartbeat.payload()).isEqualTo(JSON.createObjectNode());
  }

  @Test
  void numericRefsAreReadAsText() {
    assertThat(PhoenixSerializer.V2.decode("[1,22,\"phoenix\",\"heartbeat\",{}]").ref()).isEqualTo("22");
  }

  @ParameterizedTest
  @EnumSource(PhoenixSerializer.class)
  void malformedJsonIsRejected(PhoenixSerializer serializer) {
    assertThatIllegalArgumentException().isThrownBy(() -> serializer.decode("[\"1\",\"2\",\"phoenix\""))
        .withMessageStartingWith("malformed JSON: ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"1\"}",
      "[null,\"1\",\"phoenix\",\"heartbeat\"]", "[null,\"1\",\"phoenix\",\"heartbeat\",{},\"extra\"]", "\"text\"", "",
      "42"})
  void v2RejectsAnythingButAFiveElementArray(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> PhoenixSerializer.V2.decode(text))
        .withMessage("expected [join_ref, ref, topic, event, payload]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[null,\"1\",\"phoenix\",\"heartbeat\",{}]", "\"text\"", "", "null"})
  void v1RejectsAnythingButAnObject(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> PhoenixSerializer.V1.decode(text))
        .withMessage("expected {\"topic\", \"event\", \"payload\", \"ref\", \"join_ref\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[null,\"1\",7,\"heartbeat\",{}]", "[null,\"1\",\"phoenix\",null,{}]",
      "[null,\"1\",\"phoenix\",{\"e\":1},{}]"})
  void topicAndEventMustBeStrings(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> PhoenixSerializer.V2.decode(text))
        .withMessage("topic and event must be strings");
  }

  @Test
  void v1WithoutTopicIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PhoenixSerializer.V1.decode("{\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"1\"}"))
        .withMessage("topic and event must be strings");
  }

  @Test
  void v1EncodesAnObject() {
    assertThat(text(PhoenixSerializer.V1.encode(REPLY))).isEqualTo("{\"event\":\"phx_reply\","
        + "\"payload\":{\"status\":\"ok\",\"response\":{\"postgres_changes\":[]}},\"ref\":\"2\","
        + "\"topic\":\"realtime:room-lobby\",\"join_ref\":\"1\"}");
  }

  @Test
  void v1LeavesOutAMissingJoinRefAndWritesANullRef() {
    PhoenixMessage push = new PhoenixMessage(null, null, "realtime:room-lobby", "system", JSON.createObjectNode());

    assertThat(text(PhoenixSerializer.V1.encode(push)))
        .isEqualTo("{\"event\":\"system\",\"payload\":{},\"ref\":null,\"topic\":\"realtime:room-lobby\"}");
  }

  @Test
  void v2EncodesAnArray() {
    assertThat(text(PhoenixSerializer.V2.encode(REPLY))).isEqualTo("[\"1\",\"2\",\"realtime:room-lobby\","
        + "\"phx_reply\",{\"status\":\"ok\",\"response\":{\"postgres_changes\":[]}}]");
    assertThat(text(PhoenixSerializer.V2.encode(new PhoenixMessage(null, null, "t", "e", JSON.createObjectNode()))))
        .isEqualTo("[null,null,\"t\",\"e\",{}]");
  }

  @ParameterizedTest
  @EnumSource(PhoenixSerializer.class)
  void encodeThenDecodeIsTheSameMessage(PhoenixSerializer serializer) {
    PhoenixMessage push = new PhoenixMessage(null, null, "realtime:ünïcode \"quoted\"", "system",
        (ObjectNode) json("{\"message\":\"Subscribed to PostgreSQL\",\"status\":\"ok\"}"));

    assertThat(serializer.decode(text(serializer.encode(REPLY)))).isEqualTo(REPLY);
    assertThat(serializer.decode(text(serializer.encode(push)))).isEqualTo(push);
  }

  @ParameterizedTest
  @EnumSource(PhoenixSerializer.class)
  void envelopeAroundSharedDataIsTheEncodedPush(PhoenixSerializer serializer) throws Exception {
    byte[] data = new ChangeJsonEncoder().wireShape(insert(MESSAGES, message("1", "lobby", "hello", "1.5", "f")));
    String topic = "realtime:room \"α\"\n\\";

    byte[][] envelope = serializer.pushEnvelope(topic, PhoenixMessage.POSTGRES_CHANGES, "[12345,67890]",
        "00000000016B3748-0");
    ByteArrayOutputStream push = new ByteArrayOutputStream();
    push.write(envelope[0]);
    push.write(data);
    push.write(envelope[1]);

    ObjectNode payload = JSON.createObjectNode();
    payload.set("ids", json("[12345,67890]"));
    payload.set("data", json(text(data)));
    payload.put("position", "00000000016B3748-0");
    byte[] expected = serializer.encode(new PhoenixMessage(null, null, topic, PhoenixMessage.POSTGRES_CHANGES, payload));
    assertThat(json(push.toString(StandardCharsets.UTF_8))).isEqualTo(json(text(expected)));
    assertThat(serializer.decode(push.toString(StandardCharsets.UTF_8)).topic()).isEqualTo(topic);
  }

  @Test
  void v2EnvelopeBytes() {
    byte[][] envelope = PhoenixSerializer.V2.pushEnvelope("realtime:room-lobby", "postgres_changes", "[7]",
        "00000000016B3748-2");

    assertThat(text(envelope[0]))
        .isEqualTo("[null,null,\"realtime:room-lobby\",\"postgres_changes\",{\"ids\":[7],\"data\":");
    assertThat(text(envelope[1])).isEqualTo(",\"position\":\"00000000016B3748-2\"}]");
  }

  /**
   * Found with the fuzz target's round-trip check (docs/fuzzing.md): 1e400 was read as an infinite
   * double and written back as the string "Infinity".
   */
  @ParameterizedTest
  @EnumSource(PhoenixSerializer.class)
  void numbersBeyondADoubleComeBackAsTheSameNumbers(PhoenixSerializer serializer) {
    String frame = serializer == PhoenixSerializer.V2
        ? "[\"1\",\"2\",\"realtime:room\",\"broadcast\",{\"big\":1e400,\"small\":-1e400,\"exact\":0.1}]"
        : "{\"join_ref\":\"1\",\"ref\":\"2\",\"topic\":\"realtime:room\",\"event\":\"broadcast\","
            + "\"payload\":{\"big\":1e400,\"small\":-1e400,\"exact\":0.1}}";

    PhoenixMessage message = serializer.decode(frame);
    String encoded = text(serializer.encode(message));

    assertThat(encoded).doesNotContain("Infinity").contains("1E+400", "-1E+400", "0.1");
    assertThat(serializer.decode(encoded)).isEqualTo(message);
  }

  /** quote() escapes as Jackson's generator did before it (topics and events reach clients quoted by it). */
  @ParameterizedTest
  @ValueSource(strings = {"", "realtime:room-lobby", "a\"b", "back\\slash", "tab\tnew\nline\r\b\f", "\u0000\u001f\u007f",
      "/slash</script>", "ünïcödé €", "emoji \uD83D\uDE00", "lone \uD800 surrogate", "\u2028\u2029"})
  void quoteEscapesAsJacksonsGenerator(String text) throws Exception {
    assertThat(PhoenixSerializer.quote(text)).isEqualTo(JSON.writeValueAsString(text));
  }
}
