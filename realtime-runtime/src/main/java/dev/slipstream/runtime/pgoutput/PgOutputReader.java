package dev.slipstream.runtime.pgoutput;

import java.nio.ByteBuffer;
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
 * <p>Reads a private view of the buffer: the caller's position and limit are never moved. Not
 * thread-safe; one reader per message.
 */
public final class PgOutputReader {

  private final ByteBuffer buffer;
  private final int start;
  private String messageName = "pgoutput message";

  /** Reads the bytes between {@code message}'s position and limit. */
  public PgOutputReader(ByteBuffer message) {
    this.buffer = message.duplicate(); // a duplicate is always big-endian, the wire's byte order
    this.start = buffer.position();
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
    return buffer.position() - start;
  }

  public int remaining() {
    return buffer.remaining();
  }

  public int length() {
    return buffer.limit() - start;
  }

  /** Byte1 or Int8, as an unsigned value 0..255. */
  public int readByte(String field) {
    require(field, 1);
    return Byte.toUnsignedInt(buffer.get());
  }

  public short readInt16(String field) {
    require(field, 2);
    return buffer.getShort();
  }

  public int readInt32(String field) {
    require(field, 4);
    return buffer.getInt();
  }

  /** An Int32 that PostgreSQL defines as unsigned (TransactionId), widened without sign. */
  public long readUnsignedInt32(String field) {
    return Integer.toUnsignedLong(readInt32(field));
  }

  public long readInt64(String field) {
    require(field, 8);
    return buffer.getLong();
  }

  /** Byte<i>n</i>: a fresh array of exactly {@code length} bytes. */
  public byte[] readBytes(String field, int length) {
    if (length < 0) {
      throw error(field + " has negative length " + length);
    }
    require(field, length);
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return bytes;
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
    int from = buffer.position();
    int nul = -1;
    for (int i = from; i < buffer.limit(); i++) {
      if (buffer.get(i) == 0) {
        nul = i;
        break;
      }
    }
    if (nul < 0) {
      throw error(field + " (String) has no NUL terminator in the remaining "
          + buffer.remaining() + " bytes");
    }
    ByteBuffer text = buffer.slice(from, nul - from);
    CharBuffer chars;
    try {
      chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(text);
    } catch (CharacterCodingException e) {
      throw error(field + " (String) is not valid UTF-8", e);
    }
    buffer.position(nul + 1);
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
    if (buffer.hasRemaining()) {
      throw error(buffer.remaining() + " unexpected trailing bytes after the last field");
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
    if (needed > buffer.remaining()) {
      throw errorAt(countOffset, field + " " + count + " needs at least " + needed
          + " more bytes, " + buffer.remaining() + " available");
    }
    return count;
  }

  private void require(String field, int bytes) {
    if (buffer.remaining() < bytes) {
      throw error(field + " needs " + bytes + (bytes == 1 ? " byte, " : " bytes, ")
          + buffer.remaining() + " available");
    }
  }
}
