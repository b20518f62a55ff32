package dev.slipstream.runtime.pgoutput;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the primitive types of the logical replication protocol (Byte1/Int8, Int16, Int32, Int64
 * big-endian, NUL-terminated String, Byte<i>n</i>) from one message.
 *
 * <p>Every read first checks what is left, so for any input the only failure is a
 * {@link PgOutputDecodeException} that names the message, the field, its offset from the start of
 * the message, and the bytes needed versus available. Counts read from the wire are checked
 * against the remaining bytes before anything is allocated ({@link #readCount16}), so a forged
 * count of 2^31-1 fails at once instead of allocating or looping.
 *
 * <p>Reads a private view of the buffer: the caller's position and limit are never moved. Reads a
 * heap buffer's array directly (pgjdbc hands over heap buffers), not through the ByteBuffer,
 * whose per-call checks were a twentieth of the replication thread's samples; a direct buffer is
 * copied once. Not thread-safe; one reader per message.
 */
public final class PgOutputReader {

  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final byte[] bytes;
  private final int start;
  private final int limit;
  private int position;
  private String messageName = "pgoutput message";

  /** Reads the bytes between {@code message}'s position and limit. */
  public PgOutputReader(ByteBuffer message) {
    if (message.hasArray()) {
      this.bytes = message.array();
      this.start = message.arrayOffset() + message.position();
      this.limit = message.arrayOffset() + message.limit();
    } else {
      this.bytes = new byte[message.remaining()];
      message.duplicate().get(bytes);
      this.start = 0;
      this.limit = bytes.length;
    }
    this.position = start;
  }

  public static PgOutputReader of(byte[] message) {
    return new PgOutputReader(ByteBuffer.wrap(message));
  }

  /** Names the message in error texts once its type is known, e.g. "Insert ('I')". */
  public void describeAs(String name) {
    this.messageName = name;
  }

  /** Offset of the next byte from the start of the message. */
  public int offset() {
    return position - start;
  }

  public int remaining() {
    return limit - position;
  }

  public int length() {
    return limit - start;
  }

  /** Byte1 or Int8, as an unsigned value 0..255. */
  public int readByte(String field) {
    require(field, 1);
    return readByte();
  }

  /** Byte1, unsigned, when the caller checked that a byte is left (its field's name is made only for errors). */
  int readByte() {
    return Byte.toUnsignedInt(bytes[position++]);
  }

  /**
   * An Int32 length and that many bytes, or null (nothing read) when they are not all there or the
   * length is negative: the caller then reads again with {@link #readLengthPrefixedBytes} for the error.
   */
  byte[] readLengthPrefixedBytesOrNull() {
    if (remaining() < 4) {
      return null;
    }
    int length = (int) INT.get(bytes, position);
    if (length < 0 || remaining() - 4 < length) {
      return null;
    }
    byte[] value = java.util.Arrays.copyOfRange(bytes, position + 4, position + 4 + length);
    position += 4 + length;
    return value;
  }

  public short readInt16(String field) {
    require(field, 2);
    short value = (short) SHORT.get(bytes, position);
    position += 2;
    return value;
  }

  public int readInt32(String field) {
    require(field, 4);
    int value = (int) INT.get(bytes, position);
    position += 4;
    return value;
  }

  /** An Int32 that PostgreSQL defines as unsigned (TransactionId), widened without sign. */
  public long readUnsignedInt32(String field) {
    return Integer.toUnsignedLong(readInt32(field));
  }

  public long readInt64(String field) {
    require(field, 8);
    long value = (long) LONG.get(bytes, position);
    position += 8;
    return value;
  }

  /** Byte<i>n</i>: a fresh array of exactly {@code length} bytes. */
  public byte[] readBytes(String field, int length) {
    if (length < 0) {
      throw error(field + " has negative length " + length);
    }
    require(field, length);
    byte[] value = java.util.Arrays.copyOfRange(bytes, position, position + length);
    position += length;
    return value;
  }

  /** An Int32 length followed by that many bytes (TupleData 't'/'b' values, Message content). */
  public byte[] readLengthPrefixedBytes(String field) {
    int lengthOffset = offset();
    int length = readInt32(field + " length");
    if (length < 0) {
      throw errorAt(lengthOffset, field + " length " + length + " is negative");
    }
    return readBytes(field, length);
  }

  /** String: UTF-8 up to a NUL terminator, which is consumed. Malformed UTF-8 is an error. */
  public String readString(String field) {
    int from = position;
    int nul = -1;
    for (int i = from; i < limit; i++) {
      if (bytes[i] == 0) {
        nul = i;
        break;
      }
    }
    if (nul < 0) {
      throw error(field + " (String) has no NUL terminator in the remaining "
          + remaining() + " bytes");
    }
    CharBuffer chars;
    try {
      chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, from, nul - from));
    } catch (CharacterCodingException e) {
      throw error(field + " (String) is not valid UTF-8", e);
    }
    position = nul + 1;
    return chars.toString();
  }

  /**
   * An Int16 count of items that each take at least {@code minBytesPerItem} bytes; fails unless
   * the count is non-negative and that many items could fit in what is left.
   */
  public int readCount16(String field, int minBytesPerItem) {
    int countOffset = offset();
    return checkCount(field, countOffset, readInt16(field), minBytesPerItem);
  }

  /** Like {@link #readCount16} for an Int32 count. */
  public int readCount32(String field, int minBytesPerItem) {
    int countOffset = offset();
    return checkCount(field, countOffset, readInt32(field), minBytesPerItem);
  }

  /** Fails if anything is left: the message is longer than its type allows. */
  public void requireEnd() {
    if (remaining() > 0) {
      throw error(remaining() + " unexpected trailing bytes after the last field");
    }
  }

  /** An error about the field at the current offset. */
  public PgOutputDecodeException error(String problem) {
    return errorAt(offset(), problem);
  }

  private PgOutputDecodeException error(String problem, Throwable cause) {
    return new PgOutputDecodeException(describe(offset(), problem), cause);
  }

  /** An error about the field at {@code fieldOffset}. */
  public PgOutputDecodeException errorAt(int fieldOffset, String problem) {
    return new PgOutputDecodeException(describe(fieldOffset, problem));
  }

  private String describe(int fieldOffset, String problem) {
    return messageName + " of " + length() + " bytes, at offset " + fieldOffset + ": " + problem;
  }

  private int checkCount(String field, int countOffset, int count, int minBytesPerItem) {
    if (count < 0) {
      throw errorAt(countOffset, field + " " + count + " is negative");
    }
    long needed = (long) count * minBytesPerItem;
    if (needed > remaining()) {
      throw errorAt(countOffset, field + " " + count + " needs at least " + needed
          + " more bytes, " + remaining() + " available");
    }
    return count;
  }

  private void require(String field, int bytes) {
    if (remaining() < bytes) {
      throw error(field + " needs " + bytes + (bytes == 1 ? " byte, " : " bytes, ")
          + remaining() + " available");
    }
  }
}
