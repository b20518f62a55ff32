package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.transport.ClientConnection;
import dev.slipstream.runtime.transport.WebSocketFrames;

/**
 * The messages a socket sends its client besides pushes: replies, {@code system} messages,
 * {@code phx_close}. Every one goes through the connection's byte budget, like everything sent.
 */
final class Replies {

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Replies() {
  }

  static void send(PhoenixSerializer serializer, ClientConnection connection, PhoenixMessage message) {
    connection.send(WebSocketFrames.text(connection.channel().alloc(), serializer.encode(message)));
  }

  static void reply(PhoenixSerializer serializer, ClientConnection connection, PhoenixMessage request, String status,
      JsonNode response) {
    send(serializer, connection, new PhoenixMessage(request.joinRef(), request.ref(), request.topic(),
        PhoenixMessage.REPLY, NODES.objectNode().put("status", status).set("response", response)));
  }

  /** {@code {"extension", "status", "message", "channel"}} on the member's topic. */
  static void system(ChannelMembership member, String extension, String status, String text) {
    send(member.serializer(), member.connection(), new PhoenixMessage(member.joinRef(), null, member.topic(),
        PhoenixMessage.SYSTEM, NODES.objectNode()
            .put("extension", extension)
            .put("status", status)
            .put("message", text)
            .put("channel", member.subTopic())));
  }

  /** {@code phx_close} for the member's join: the channel is over. */
  static void close(ChannelMembership member) {
    send(member.serializer(), member.connection(), new PhoenixMessage(member.joinRef(), member.joinRef(),
        member.topic(), PhoenixMessage.CLOSE, NODES.objectNode()));
  }

  static ObjectNode reason(String text) {
    return NODES.objectNode().put("reason", text);
  }
}
