package dev.slipstream.runtime.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds synthetic pgoutput messages for the cases no server sends. */
final class WireBytes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static WireBytes message(char type) {
    return new WireBytes().int8(type);
  }

  WireBytes int8(int value) {
    out.write(value);
    return this;
  }

  WireBytes int16(int value) {
    return int8(value >>> 8).int8(value);
  }

  WireBytes int32(int value) {
    return int16(value >>> 16).int16(value);
  }

  WireBytes int64(long value) {
    return int32((int) (value >>> 32)).int32((int) value);
  }

  /** A NUL-terminated UTF-8 String. */
  WireBytes string(String value) {
    return bytes(value.getBytes(StandardCharsets.UTF_8)).int8(0);
  }

  WireBytes bytes(byte[] value) {
    out.writeBytes(value);
    return this;
  }

  /** A TupleData 't' column. */
  WireBytes text(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    return int8('t').int32(bytes.length).bytes(bytes);
  }

  byte[] toBytes() {
    return out.toByteArray();
  }
}
