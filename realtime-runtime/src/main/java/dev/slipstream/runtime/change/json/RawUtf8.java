package dev.slipstream.runtime.change.json;

import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable view of a range of UTF-8 bytes that are already JSON, for {@link
 * com.fasterxml.jackson.core.JsonGenerator#writeRawValue(SerializableString)}: Jackson's byte
 * generator copies them straight into its output buffer ({@link #appendUnquotedUTF8}), with no
 * String and no re-encoding. When the value is larger than the room left in that buffer, Jackson
 * asks for {@link #asUnquotedUTF8()} instead, which copies only if the value is part of a larger
 * array (an element of a json[] value, a slice of a message buffer).
 *
 * <p>Mutable and reset per value by its one owner, {@link ValueJsonWriter}. Only the unquoted
 * forms make sense for raw JSON; the quoted ones throw.
 */
final class RawUtf8 implements SerializableString {

  private byte[] bytes;
  private int offset;
  private int length;

  RawUtf8 reset(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
    return this;
  }

  /** Drops the reference to the caller's bytes once the value is written. */
  void clear() {
    bytes = null;
  }

  @Override
  public String getValue() {
    return new String(bytes, offset, length, StandardCharsets.UTF_8);
  }

  @Override
  public int charLength() {
    return getValue().length();
  }

  /**
   * Jackson calls this when the value does not fit in the rest of its buffer, and only reads the
   * array. When the range is the whole array (pgoutput's decoder gives each value its own array)
   * we hand the array over rather than copy it, so that case never allocates.
   */
  @Override
  public byte[] asUnquotedUTF8() {
    if (offset == 0 && length == bytes.length) {
      return bytes;
    }
    return Arrays.copyOfRange(bytes, offset, offset + length);
  }

  @Override
  public int appendUnquotedUTF8(byte[] buffer, int at) {
    if (at + length > buffer.length) {
      return -1;
    }
    System.arraycopy(bytes, offset, buffer, at, length);
    return length;
  }

  @Override
  public int appendUnquoted(char[] buffer, int at) {
    String value = getValue();
    if (at + value.length() > buffer.length) {
      return -1;
    }
    value.getChars(0, value.length(), buffer, at);
    return value.length();
  }

  @Override
  public int writeUnquotedUTF8(OutputStream out) throws IOException {
    out.write(bytes, offset, length);
    return length;
  }

  @Override
  public int putUnquotedUTF8(ByteBuffer buffer) {
    if (buffer.remaining() < length) {
      return -1;
    }
    buffer.put(bytes, offset, length);
    return length;
  }

  @Override
  public char[] asQuotedChars() {
    throw quoted();
  }

  @Override
  public byte[] asQuotedUTF8() {
    throw quoted();
  }

  @Override
  public int appendQuotedUTF8(byte[] buffer, int at) {
    throw quoted();
  }

  @Override
  public int appendQuoted(char[] buffer, int at) {
    throw quoted();
  }

  @Override
  public int writeQuotedUTF8(OutputStream out) {
    throw quoted();
  }

  @Override
  public int putQuotedUTF8(ByteBuffer buffer) {
    throw quoted();
  }

  private static UnsupportedOperationException quoted() {
    return new UnsupportedOperationException("raw JSON has no quoted form");
  }

  @Override
  public String toString() {
    return getValue();
  }
}
