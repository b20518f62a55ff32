package dev.slipstream.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * The protocol's primitive values on a {@link ByteBuf}: big-endian fixed-width integers, unsigned
 * LEB128 varints for lengths, counts and indexes, UTF-8 strings prefixed with their byte length.
 * Every read checks what is left first and throws {@link RelayProtocolException} naming the value.
 */
final class Wire {

  private Wire() {
  }

  static void writeVarint(ByteBuf out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /** A varint that must fit a non-negative int (a length, count or index). */
  static int readVarint(ByteBuf in, String what) {
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      need(in, 1, what);
      int b = in.readByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (value > Integer.MAX_VALUE) {
          throw new RelayProtocolException(what + " out of range: " + value);
        }
        return (int) value;
      }
    }
    throw new RelayProtocolException(what + " is not a valid varint");
  }

  /**
   * A count of items that take at least {@code minBytesEach} bytes each: refused when the frame
   * cannot hold that many, so a forged count never sizes an allocation.
   */
  static int readCount(ByteBuf in, int minBytesEach, String what) {
    int count = readVarint(in, what);
    if ((long) count * minBytesEach > in.readableBytes()) {
      throw new RelayProtocolException(what + " of " + count + " does not fit the " + in.readableBytes()
          + " bytes left in the frame");
    }
    return count;
  }

  static void writeString(ByteBuf out, String value) {
    writeVarint(out, ByteBufUtil.utf8Bytes(value));
    ByteBufUtil.writeUtf8(out, value);
  }

  static String readString(ByteBuf in, int maxBytes, String what) {
    int length = readVarint(in, what + " length");
    if (length > maxBytes) {
      throw new RelayProtocolException(what + " of " + length + " bytes exceeds " + maxBytes);
    }
    need(in, length, what);
    return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
  }

  /** A varint length, then that many bytes. */
  static void writeBytes(ByteBuf out, byte[] value) {
    writeVarint(out, value.length);
    out.writeBytes(value);
  }

  static byte[] readBytes(ByteBuf in, String what) {
    return readFixed(in, readVarint(in, what + " length"), what);
  }

  static byte[] readFixed(ByteBuf in, int length, String what) {
    need(in, length, what);
    byte[] bytes = new byte[length];
    in.readBytes(bytes);
    return bytes;
  }

  static int readUnsignedByte(ByteBuf in, String what) {
    need(in, 1, what);
    return in.readUnsignedByte();
  }

  static int readUnsignedShort(ByteBuf in, String what) {
    need(in, 2, what);
    return in.readUnsignedShort();
  }

  static int readInt(ByteBuf in, String what) {
    need(in, 4, what);
    return in.readInt();
  }

  static long readLong(ByteBuf in, String what) {
    need(in, 8, what);
    return in.readLong();
  }

  static void need(ByteBuf in, int bytes, String what) {
    if (in.readableBytes() < bytes) {
      throw new RelayProtocolException("truncated relay frame: " + what + " needs " + bytes + " bytes, "
          + in.readableBytes() + " left");
    }
  }

  /** The frame must have been read to its end: trailing bytes are a framing error. */
  static void end(ByteBuf in, String frame) {
    if (in.isReadable()) {
      throw new RelayProtocolException(in.readableBytes() + " unexpected bytes at the end of a " + frame + " frame");
    }
  }
}
