package dev.slipstream.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builds complete, unmasked server-to-client WebSocket text frames (RFC 6455 section 5.2) as raw
 * bytes, so one buffer can be written to many channels. Netty's {@code WebSocket08FrameEncoder}
 * would build a header per channel and copy payloads under 1 KiB into it; raw {@code ByteBuf}s pass
 * the encoder untouched.
 */
public final class WebSocketFrames {

  private static final int FIN_TEXT = 0x81;
  private static final int FIN_BINARY = 0x82;

  private WebSocketFrames() {
  }

  /** A text frame whose payload is the concatenation of {@code parts}. */
  public static ByteBuf text(ByteBufAllocator allocator, byte[]... parts) {
    return frame(FIN_TEXT, allocator, parts);
  }

  /** A binary frame whose payload is the concatenation of {@code parts}. */
  public static ByteBuf binary(ByteBufAllocator allocator, byte[]... parts) {
    return frame(FIN_BINARY, allocator, parts);
  }

  private static ByteBuf frame(int opcode, ByteBufAllocator allocator, byte[]... parts) {
    long length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf frame = allocator.directBuffer(header + (int) length);
    frame.writeByte(opcode);
    if (length <= 125) {
      frame.writeByte((int) length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort((int) length);
    } else {
      frame.writeByte(127);
      frame.writeLong(length);
    }
    for (byte[] part : parts) {
      frame.writeBytes(part);
    }
    return frame;
  }
}
