package dev.slipstream.runtime.phoenix;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The binary frames of serializer 2.0.0 for user broadcasts, as {@code @supabase/realtime-js}
 * 2.119.0 writes and reads them ({@code src/lib/serializer.ts}): every {@code channel.send} of a
 * broadcast arrives as kind 3, and the only binary kind the client can decode is 4 (any other
 * kind throws inside its socket's message handler), so broadcasts to 2.0.0 clients go out as kind 4.
 *
 * <pre>
 * kind 3 (client to server): u8 3, u8 join_ref len, u8 ref len, u8 topic len, u8 event len,
 *     u8 metadata len, u8 encoding (0 raw, 1 JSON), join_ref, ref, topic, event, metadata, payload
 * kind 4 (server to client): u8 4, u8 topic len, u8 event len, u8 metadata len, u8 encoding,
 *     topic, event, metadata, payload
 * </pre>
 */
final class UserBroadcastCodec {

  static final int PUSH_KIND = 3;
  static final int BROADCAST_KIND = 4;
  static final int RAW = 0;
  static final int JSON = 1;

  private UserBroadcastCodec() {
  }

  /** A decoded kind-3 frame. */
  record UserBroadcastPush(String joinRef, String ref, String topic, String event, byte[] payload, boolean json) {
  }

  /** Decodes a kind-3 frame; throws {@link IllegalArgumentException} saying what is wrong. */
  static UserBroadcastPush decodePush(ByteBuf frame) {
    int start = frame.readerIndex();
    int length = frame.readableBytes();
    if (length < 7) {
      throw new IllegalArgumentException("binary frame of " + length + " bytes is too short for a broadcast header");
    }
    int kind = frame.getUnsignedByte(start);
    if (kind != PUSH_KIND) {
      throw new IllegalArgumentException("binary frame kind " + kind + " is not accepted (only 3, a user broadcast)");
    }
    int joinRefLength = frame.getUnsignedByte(start + 1);
    int refLength = frame.getUnsignedByte(start + 2);
    int topicLength = frame.getUnsignedByte(start + 3);
    int eventLength = frame.getUnsignedByte(start + 4);
    int metaLength = frame.getUnsignedByte(start + 5);
    int encoding = frame.getUnsignedByte(start + 6);
    int offset = start + 7;
    int fixed = joinRefLength + refLength + topicLength + eventLength + metaLength;
    if (7 + fixed > length) {
      throw new IllegalArgumentException("binary broadcast header announces " + fixed + " bytes of fields, frame has "
          + (length - 7));
    }
    if (encoding != RAW && encoding != JSON) {
      throw new IllegalArgumentException("binary broadcast payload encoding " + encoding + " is unknown (0 raw, 1 JSON)");
    }
    String joinRef = text(frame, offset, joinRefLength);
    offset += joinRefLength;
    String ref = text(frame, offset, refLength);
    offset += refLength;
    String topic = text(frame, offset, topicLength);
    offset += topicLength;
    String event = text(frame, offset, eventLength);
    offset += eventLength + metaLength; // metadata ({"persist": ...}) asks for storage this runtime does not offer
    byte[] payload = new byte[start + length - offset];
    frame.getBytes(offset, payload);
    return new UserBroadcastPush(joinRef.isEmpty() ? null : joinRef, ref.isEmpty() ? null : ref, topic, event, payload,
        encoding == JSON);
  }

  /** The payload of a kind-4 frame (without WebSocket framing). */
  static byte[][] broadcastParts(String topic, String event, byte[] payload, boolean json) {
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    byte[] eventBytes = event.getBytes(StandardCharsets.UTF_8);
    if (topicBytes.length > 255 || eventBytes.length > 255) {
      throw new IllegalArgumentException("topic and event must be at most 255 bytes for a binary broadcast");
    }
    byte[] header = {(byte) BROADCAST_KIND, (byte) topicBytes.length, (byte) eventBytes.length, 0,
        (byte) (json ? JSON : RAW)};
    return new byte[][] {header, topicBytes, eventBytes, payload};
  }

  private static String text(ByteBuf frame, int offset, int length) {
    return frame.toString(offset, length, StandardCharsets.UTF_8);
  }
}
