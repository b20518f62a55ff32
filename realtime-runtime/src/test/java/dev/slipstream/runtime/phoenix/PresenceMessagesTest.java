package dev.slipstream.runtime.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The presence messages pods exchange: what goes in comes out, large states are cut, bad ones are refused. */
class PresenceMessagesTest {

  private static ObjectNode meta(String ref, String text) {
    return JsonNodeFactory.instance.objectNode().put("phx_ref", ref).put("text", text);
  }

  @Test
  void aLargeSyncIsCutIntoBoundedMessagesThatTogetherCarryEveryMeta() {
    Map<String, List<ObjectNode>> metas = new LinkedHashMap<>();
    String big = "\u00e9".repeat(2_000); // 4,000 UTF-8 bytes
    for (int i = 0; i < 100; i++) {
      metas.put("/user-" + i, List.of(meta("r" + i, big)));
    }
    List<byte[]> sync = PresenceMessages.sync("pod-a", Map.of("public|realtime:room", metas));

    assertThat(PresenceMessages.decode(sync.getFirst()).kind()).isEqualTo(PresenceMessages.BEGIN);
    assertThat(PresenceMessages.decode(sync.getLast()).kind()).isEqualTo(PresenceMessages.END);
    assertThat(sync.size()).as("about 400 KB of metas in messages of 32 KiB").isGreaterThan(10);
    int limit = PresenceMessages.maxMessageBytes(4_100);
    List<String> refs = new ArrayList<>();
    for (byte[] message : sync.subList(1, sync.size() - 1)) {
      assertThat(message.length).isLessThanOrEqualTo(limit);
      PresenceMessages.Message state = PresenceMessages.decode(message);
      assertThat(state.kind()).isEqualTo(PresenceMessages.STATE);
      assertThat(state.pod()).isEqualTo("pod-a");
      assertThat(state.diff().topicKey()).isEqualTo("public|realtime:room");
      state.diff().joins().forEach((key, list) -> list.forEach(m -> {
        assertThat(key).isEqualTo("/user-" + m.get("phx_ref").asText().substring(1));
        assertThat(m.get("text").asText()).isEqualTo(big);
        refs.add(m.get("phx_ref").asText());
      }));
    }
    assertThat(refs).hasSize(100).doesNotHaveDuplicates();
  }

  @Test
  void aDiffComesBackWithItsJoinsAndLeaves() {
    TopicPresenceDiff diff = TopicPresenceDiff.empty("private|realtime:x");
    diff.join("alice", meta("r2", "new"));
    diff.leave("alice", meta("r1", "old"));
    List<byte[]> messages = PresenceMessages.diff("pod-b", diff);
    assertThat(messages).hasSize(1);
    PresenceMessages.Message decoded = PresenceMessages.decode(messages.getFirst());
    assertThat(decoded.kind()).isEqualTo(PresenceMessages.DIFF);
    assertThat(decoded.diff()).isEqualTo(diff);
  }

  @Test
  void malformedMessagesAreRefusedSayingWhy() {
    assertThatThrownBy(() -> decode("not json")).hasMessageStartingWith("a presence message that is not JSON");
    assertThatThrownBy(() -> decode("{\"t\":\"shout\"}")).hasMessage("an unknown presence message kind 'shout'");
    assertThatThrownBy(() -> decode("{\"t\":\"begin\"}")).hasMessage("a presence begin names no pod");
    assertThatThrownBy(() -> decode("{\"t\":\"diff\",\"pod\":\"p\",\"topic\":\"realtime:x\"}"))
        .hasMessage("a presence diff names no topic key");
    assertThat(decode("{\"t\":\"view\"}").kind()).isEqualTo(PresenceMessages.VIEW);
  }

  private static PresenceMessages.Message decode(String text) {
    return PresenceMessages.decode(text.getBytes(StandardCharsets.UTF_8));
  }
}
