package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.change.ChangeEvent.DatabaseMessage;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast from the database: a message written with
 * <pre>
 * SELECT pg_logical_emit_message(true, 'slipstream.broadcast',
 *     json_build_object('topic', 'room1', 'event', 'new-order', 'payload', json_build_object('id', 42))::text);
 * </pre>
 * reaches the subscribers of channel {@code room1} ({@code realtime:room1}) as a broadcast of
 * event {@code new-order}, once its transaction commits (with {@code true}; {@code false} sends it
 * at once, even if the transaction rolls back). {@code "private": true} targets the private
 * channel of that name. It travels through the replication slot like any change: no polling, and
 * the same order as the rows written in the same transaction.
 *
 * <p>A malformed message is logged and dropped; it cannot stop the stream.
 */
public final class DatabaseBroadcasts implements Consumer<DatabaseMessage> {

  /** The {@code pg_logical_emit_message} prefix this listens to. */
  public static final String PREFIX = "slipstream.broadcast";

  private static final Logger log = LoggerFactory.getLogger(DatabaseBroadcasts.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Topics topics;

  public DatabaseBroadcasts(Topics topics) {
    this.topics = topics;
  }

  @Override
  public void accept(DatabaseMessage message) {
    if (!PREFIX.equals(message.prefix())) {
      return;
    }
    JsonNode body;
    try {
      body = JSON.readTree(message.content());
    } catch (IOException e) {
      log.warn("Dropping database broadcast at {}: content is not JSON ({})", message.position(), e.getMessage());
      return;
    }
    JsonNode topic = body == null ? null : body.get("topic");
    JsonNode event = body == null ? null : body.get("event");
    if (topic == null || !topic.isTextual() || topic.asText().isEmpty() || event == null || !event.isTextual()) {
      log.warn("Dropping database broadcast at {}: it needs string fields \"topic\" and \"event\"", message.position());
      return;
    }
    String name = topic.asText();
    String channelTopic = name.startsWith(PhoenixMessage.TOPIC_PREFIX) ? name : PhoenixMessage.TOPIC_PREFIX + name;
    JsonNode payload = body.path("payload");
    byte[] payloadJson;
    try {
      payloadJson = JSON.writeValueAsBytes(payload.isMissingNode() ? JSON.createObjectNode() : payload);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    topics.broadcastFromDatabase(channelTopic, body.path("private").asBoolean(false), event.asText(), payloadJson);
  }
}
