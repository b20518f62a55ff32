package dev.slipstream.runtime.change.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes one column value, in PostgreSQL's text output format as pgoutput sends it, into a
 * Jackson {@link JsonGenerator} as the JSON that {@code to_jsonb(value)} would produce (what
 * Supabase Realtime clients see), with one deliberate difference for {@code numeric}. The text is
 * assumed to come from a session with {@code DateStyle=ISO, MDY}, {@code TimeZone=UTC}, {@code
 * IntervalStyle=postgres}, {@code extra_float_digits=3}, {@code bytea_output=hex}.
 *
 * <p>The rules, by {@link PgType.Rendering}:
 *
 * <ul>
 *   <li>bool: {@code t}/{@code f} to {@code true}/{@code false}.
 *   <li>int2, int4, int8: JSON numbers with every digit (an int8 beyond 2^53 stays exact in the
 *       JSON text, as in {@code to_jsonb}).
 *   <li>float4, float8: JSON numbers as PostgreSQL prints them ({@code 1.5e-07}; {@code to_jsonb}
 *       prints the same value in plain notation, {@code 0.00000015}); {@code NaN}, {@code
 *       Infinity}, {@code -Infinity} as strings.
 *   <li>numeric: a JSON number when an IEEE double holds it losslessly, that is when a JavaScript
 *       client's {@code JSON.parse} keeps its value ({@code 0.1}, {@code 1.50}, {@code
 *       9007199254740992}); otherwise a string with the exact digits ({@code
 *       "9007199254740993"}, {@code "12345678901234567890"}), and {@code NaN}/{@code
 *       ±Infinity} as strings. <b>This differs from {@code to_jsonb}</b>, which always writes a
 *       number, and the client then silently rounds it.
 *   <li>json, jsonb: the text embedded as JSON, not re-parsed. It is syntax-checked first (see
 *       {@link JsonText} for why) and, should the check ever fail, written as a string so the
 *       frame stays valid. json keeps its text as is (whitespace, key order, duplicate keys),
 *       where {@code to_jsonb} normalises it as jsonb does; a client's {@code JSON.parse} sees
 *       the same values (the last of duplicate keys wins either way).
 *   <li>timestamp, timestamptz: {@code 2024-01-02T03:04:05.123456} and {@code
 *       2024-01-02T03:04:05+00:00}, the BC suffix and {@code infinity} kept, as {@code to_jsonb}.
 *   <li>arrays: JSON arrays (nested per dimension, bounds dropped) of the element renderings,
 *       SQL NULL elements as {@code null}; see {@link ArrayText}.
 *   <li>everything else (text, varchar, bpchar with its padding, name, "char", uuid, xml, money,
 *       inet, cidr, macaddr, bit, varbit, bytea {@code \x...}, date, time, timetz, interval,
 *       oid, enums, unknown types): the text as a JSON string.
 * </ul>
 *
 * <p>Hot path: this runs once per column per change, so it writes from the caller's bytes
 * straight into the generator (with Jackson's byte-based generator, the one for an {@code
 * OutputStream}: strings via {@link JsonGenerator#writeUTF8String}, json via a raw-bytes view)
 * and keeps small scratch buffers for the few values that must be rewritten (timestamps, array
 * elements with escapes, numbers passed as chars). Any other generator gets the same output
 * through String-based calls, at the cost of a String per value.
 *
 * <p>Not thread-safe (the scratch buffers): use one per encoding thread.
 */
public final class ValueJsonWriter {

  /** Scratch buffers grown beyond this by one huge value are dropped after it. */
  static final int MAX_RETAINED_SCRATCH = 16 * 1024;

  private final RawUtf8 raw = new RawUtf8();
  private final ArrayText arrays = new ArrayText(this);
  private byte[] bytes = new byte[64];
  private char[] chars = new char[64];

  /** Writes a value from UTF-8 text; {@code null} (SQL NULL) writes JSON {@code null}. */
  public void write(JsonGenerator gen, PgType type, byte[] text) throws IOException {
    if (text == null) {
      gen.writeNull();
    } else {
      writeValue(gen, type, text, 0, text.length);
    }
  }

  /**
   * Writes the value whose UTF-8 text is {@code text[offset, offset + length)}; {@code null} text
   * (SQL NULL) writes JSON {@code null}. The bytes are not retained.
   */
  public void write(JsonGenerator gen, PgType type, byte[] text, int offset, int length)
      throws IOException {
    if (text == null) {
      gen.writeNull();
      return;
    }
    if (offset < 0 || length < 0 || offset > text.length - length) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + offset + " + " + length + ") of " + text.length + " bytes");
    }
    writeValue(gen, type, text, offset, length);
  }

  /**
   * Writes a value given as a String (tests, synthetic events); encodes it to UTF-8 first, so
   * prefer the byte overloads with the bytes pgoutput sent.
   */
  public void write(JsonGenerator gen, PgType type, String text) throws IOException {
    if (text == null) {
      gen.writeNull();
    } else {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      writeValue(gen, type, utf8, 0, utf8.length);
    }
  }

  /** Also the entry for array elements, from {@link ArrayText}. */
  void writeValue(JsonGenerator gen, PgType type, byte[] b, int off, int len) throws IOException {
    switch (type.rendering()) {
      case BOOLEAN -> writeBoolean(gen, b, off, len);
      case INTEGER -> writeInteger(gen, b, off, len);
      case FLOAT -> writeNumberOrString(gen, b, off, len, NumberText.isJsonNumber(b, off, len));
      case NUMERIC -> writeNumberOrString(gen, b, off, len,
          NumberText.isJsonNumber(b, off, len) && NumberText.isLosslessDouble(b, off, len));
      case STRING -> writeString(gen, b, off, len);
      case JSON -> writeJson(gen, b, off, len);
      case TIMESTAMP -> writeTimestamp(gen, b, off, len);
      case ARRAY -> {
        if (!arrays.write(gen, type, b, off, len)) {
          writeString(gen, b, off, len); // not array syntax: keep the text, keep the frame valid
        }
      }
    }
  }

  private void writeBoolean(JsonGenerator gen, byte[] b, int off, int len) throws IOException {
    if (len == 1 && b[off] == 't') {
      gen.writeBoolean(true);
    } else if (len == 1 && b[off] == 'f') {
      gen.writeBoolean(false);
    } else {
      writeString(gen, b, off, len);
    }
  }

  private void writeInteger(JsonGenerator gen, byte[] b, int off, int len) throws IOException {
    if (NumberText.isLong(b, off, len)) {
      gen.writeNumber(NumberText.parseLong(b, off, len));
    } else {
      writeNumberOrString(gen, b, off, len, NumberText.isJsonNumber(b, off, len));
    }
  }

  /**
   * A number token with exactly the given digits (no double or BigDecimal in between), through a
   * char scratch buffer because Jackson takes pre-encoded numbers as chars.
   */
  private void writeNumberOrString(JsonGenerator gen, byte[] b, int off, int len, boolean number)
      throws IOException {
    if (!number) {
      writeString(gen, b, off, len);
      return;
    }
    char[] buffer = len <= chars.length ? chars : grownChars(len);
    for (int i = 0; i < len; i++) {
      buffer[i] = (char) b[off + i]; // ASCII: checked to be a JSON number
    }
    gen.writeNumber(buffer, 0, len);
  }

  private void writeTimestamp(JsonGenerator gen, byte[] b, int off, int len) throws IOException {
    int room = len + DateTimeText.MAX_GROWTH;
    byte[] buffer = room <= bytes.length ? bytes : grownBytes(room);
    int rewritten = DateTimeText.timestampToJson(b, off, len, buffer);
    if (rewritten < 0) {
      writeString(gen, b, off, len); // infinity, -infinity
    } else {
      writeString(gen, buffer, 0, rewritten);
    }
  }

  private void writeJson(JsonGenerator gen, byte[] b, int off, int len) throws IOException {
    if (!JsonText.isValid(b, off, len)) {
      writeString(gen, b, off, len);
      return;
    }
    int end = off + len; // trim the whitespace json keeps around its value
    while (isJsonSpace(b[off])) {
      off++;
    }
    while (isJsonSpace(b[end - 1])) {
      end--;
    }
    if (gen instanceof UTF8JsonGenerator) {
      try {
        gen.writeRawValue(raw.reset(b, off, end - off));
      } finally {
        raw.clear();
      }
    } else {
      gen.writeRawValue(new String(b, off, end - off, StandardCharsets.UTF_8));
    }
  }

  private static void writeString(JsonGenerator gen, byte[] b, int off, int len)
      throws IOException {
    if (gen instanceof UTF8JsonGenerator) {
      gen.writeUTF8String(b, off, len); // escapes what JSON needs, copies the rest
    } else {
      gen.writeString(new String(b, off, len, StandardCharsets.UTF_8));
    }
  }

  private static boolean isJsonSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /** A buffer of at least {@code size} chars, kept for next time unless it is huge. */
  private char[] grownChars(int size) {
    char[] grown = new char[Math.max(size, chars.length * 2)];
    if (grown.length <= MAX_RETAINED_SCRATCH) {
      chars = grown;
    }
    return grown;
  }

  private byte[] grownBytes(int size) {
    byte[] grown = new byte[Math.max(size, bytes.length * 2)];
    if (grown.length <= MAX_RETAINED_SCRATCH) {
      bytes = grown;
    }
    return grown;
  }
}
