package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.transport.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * One broadcast to a channel topic, from a client or from the database, as the frames the
 * subscribers receive: {@code {"type":"broadcast","event":..,"payload":..}} under event
 * {@code broadcast}, which realtime-js hands to {@code .on('broadcast', {event}, cb)} as is.
 *
 * @param topic the channel topic as clients join it ({@code realtime:<name>})
 * @param payload the user payload: JSON text when {@code json}, else raw bytes
 * @param binaryOrigin sent as a binary (kind 3) frame: 2.0.0 subscribers get it as binary kind 4,
 *     as Supabase does; otherwise as text
 */
record Broadcast(String topic, String event, byte[] payload, boolean json, boolean binaryOrigin) {

  /** The frame for subscribers speaking {@code serializer}; null when it cannot carry this payload. */
  ByteBuf frame(PhoenixSerializer serializer, ByteBufAllocator allocator) {
    if (serializer == PhoenixSerializer.V2 && (binaryOrigin || !json)) {
      return WebSocketFrames.binary(allocator, UserBroadcastCodec.broadcastParts(topic, event, payload, json));
    }
    if (!json) {
      return null; // raw bytes have no JSON form: 1.0.0 clients cannot receive binary broadcasts
    }
    byte[] inner = ("{\"type\":\"broadcast\",\"event\":" + PhoenixSerializer.quote(event) + ",\"payload\":")
        .getBytes(StandardCharsets.UTF_8);
    byte[][] envelope = serializer.pushEnvelopeFor(topic, PhoenixMessage.BROADCAST);
    return WebSocketFrames.text(allocator, envelope[0], inner, payload, CLOSE_OBJECT, envelope[1]);
  }

  private static final byte[] CLOSE_OBJECT = {'}'};
}
