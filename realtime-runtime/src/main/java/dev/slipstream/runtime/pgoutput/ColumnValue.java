package dev.slipstream.runtime.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One column of a TupleData, by the kind byte that precedes it on the wire. An exhaustive
 * {@code switch} over the four records forces every consumer to decide what an unchanged TOASTed
 * value means for it: it is not NULL, the value is simply not in this message.
 *
 * <p>{@link Text} and {@link Binary} copy their bytes in and out, so the values are immutable; the
 * decoder hands its fresh arrays to {@link Text} without a copy, and readers on the hot path borrow
 * them ({@link Text#sharedBytes()}).
 */
public sealed interface ColumnValue {

  /** The one {@link Null} instance the decoder uses. */
  Null NULL = new Null();

  /** The one {@link UnchangedToast} instance the decoder uses. */
  UnchangedToast UNCHANGED_TOAST = new UnchangedToast();

  /** The kind byte on the wire: 'n', 'u', 't' or 'b'. */
  char kind();

  /** 'n': the value is SQL NULL. */
  record Null() implements ColumnValue {
    @Override
    public char kind() {
      return 'n';
    }
  }

  /**
   * 'u': an out-of-line (TOASTed) value the UPDATE did not change, so PostgreSQL did not log it.
   * The value is unknown to this message, not NULL.
   */
  record UnchangedToast() implements ColumnValue {
    @Override
    public char kind() {
      return 'u';
    }
  }

  /**
   * 't': the value in PostgreSQL's text output format, in the connection's client encoding
   * (UTF-8 for pgjdbc, which sets {@code client_encoding=UTF8}).
   */
  final class Text implements ColumnValue {

    private final byte[] bytes;

    /** @param bytes copied: the value stays as it was whatever the caller does with its array */
    public Text(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    private Text(byte[] owned, boolean trusted) {
      this.bytes = owned;
    }

    /**
     * Takes {@code bytes} without a copy: the decoder's own fresh array, which nobody else holds. A
     * class, not a record, for this: a record's constructor would copy every decoded value again.
     */
    static Text owning(byte[] bytes) {
      return new Text(bytes, true);
    }

    /** Builds a value from a string, UTF-8 encoded (tests and synthetic events). */
    public static Text of(String value) {
      return new Text(value.getBytes(StandardCharsets.UTF_8), true);
    }

    /** A copy of the value's bytes. */
    public byte[] bytes() {
      return bytes.clone();
    }

    /**
     * The value's bytes themselves, for the hot paths that only read them (the JSON encoder, the
     * spill file, the relay's writer): never to be modified or kept.
     */
    public byte[] sharedBytes() {
      return bytes;
    }

    /** The value as a string, decoding the bytes as UTF-8. */
    public String asString() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    public int length() {
      return bytes.length;
    }

    @Override
    public char kind() {
      return 't';
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Text text && Arrays.equals(bytes, text.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Text[" + asString() + "]";
    }
  }

  /**
   * 'b': the value in the type's binary send format; only sent when the {@code binary} option is
   * on.
   */
  record Binary(byte[] bytes) implements ColumnValue {

    public Binary {
      bytes = bytes.clone();
    }

    /** A copy of the raw bytes. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    public int length() {
      return bytes.length;
    }

    @Override
    public char kind() {
      return 'b';
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Binary binary && Arrays.equals(bytes, binary.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Binary[" + HexFormat.of().formatHex(bytes) + "]";
    }
  }
}
