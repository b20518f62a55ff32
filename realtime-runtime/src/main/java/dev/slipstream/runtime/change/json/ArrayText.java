package dev.slipstream.runtime.change.json;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Reads PostgreSQL's array text ({@code array_out}) and writes it as nested JSON arrays, each
 * element through the {@link ValueJsonWriter}'s rule for the element type.
 *
 * <p>The syntax, as {@code array_out} writes it and {@code array_in} reads it:
 *
 * <ul>
 *   <li>{@code {1,2,3}}; nested braces per dimension, {@code {{1,2},{3,4}}}; {@code {}} for an
 *       empty array (of any dimension);
 *   <li>an optional dimension decoration when a lower bound is not 1, {@code [0:1]={1,2}} or
 *       {@code [1:2][-1:0]={{...}}}: JSON has no bounds, so it is skipped, as {@code to_jsonb}
 *       does;
 *   <li>elements separated by the element type's delimiter ({@code ,} for all but {@code box});
 *   <li>an element is double-quoted when it is empty, equals {@code NULL} in any case, or holds a
 *       quote, backslash, brace, the delimiter or whitespace; inside quotes {@code "} and {@code
 *       \} are backslash-escaped;
 *   <li>an unquoted {@code NULL} (any case) is SQL NULL: JSON {@code null}. A quoted {@code
 *       "NULL"} is the four-letter string.
 * </ul>
 *
 * <p>Each value is walked twice: first a syntax check that writes nothing, then the rendering.
 * The check keeps a malformed value from leaving half an array in the generator (the caller
 * writes it as a string instead) and costs a scan of usually short text.
 *
 * <p>One per {@link ValueJsonWriter}; holds the scratch buffer for unescaped elements.
 */
final class ArrayText {

  /** PostgreSQL's MAXDIM is 6; anything much deeper is not array text. */
  private static final int MAX_DEPTH = 32;

  private final ValueJsonWriter writer;
  private byte[] unescaped = new byte[64];
  private boolean busy;

  ArrayText(ValueJsonWriter writer) {
    this.writer = writer;
  }

  /**
   * Writes the array text as a JSON array if it is well-formed array syntax and returns true;
   * returns false, having written nothing, if it is not.
   */
  boolean write(JsonGenerator gen, PgType arrayType, byte[] b, int off, int len)
      throws IOException {
    if (busy) {
      // An element that is itself rendered as an array (an array of domains over an array type):
      // the scratch buffer is in use, so walk the element with a fresh reader.
      return new ArrayText(writer).write(gen, arrayType, b, off, len);
    }
    byte delimiter = arrayType.delimiterByte();
    if (!walk(null, null, b, off, off + len, delimiter)) {
      return false;
    }
    busy = true;
    try {
      walk(gen, arrayType.elementType(), b, off, off + len, delimiter);
    } finally {
      busy = false;
      if (unescaped.length > ValueJsonWriter.MAX_RETAINED_SCRATCH) {
        unescaped = new byte[64];
      }
    }
    return true;
  }

  /**
   * One pass over the text; with a null generator only checks the syntax. Returns whether the
   * text is well-formed (when rendering, the text was checked already, so it always is).
   */
  private boolean walk(JsonGenerator gen, PgType element, byte[] b, int i, int end, byte delim)
      throws IOException {
    i = skipSpace(b, i, end);
    if (i < end && b[i] == '[') {
      i = decorationEnd(b, i, end);
      if (i < 0) {
        return false;
      }
    }
    if (i >= end || b[i] != '{') {
      return false;
    }
    int depth = 0;
    boolean expectElement = true; // after '{' or a delimiter
    while (true) {
      if (expectElement) {
        if (i >= end) {
          return false;
        }
        byte c = b[i];
        if (c == '{') {
          if (++depth > MAX_DEPTH) {
            return false;
          }
          if (gen != null) {
            gen.writeStartArray();
          }
          i = skipSpace(b, i + 1, end);
          if (i < end && b[i] == '}') {
            expectElement = false; // empty: the close below ends it
          }
          continue;
        }
        i = c == '"' ? quoted(gen, element, b, i, end) : unquoted(gen, element, b, i, end, delim);
        if (i < 0) {
          return false;
        }
        expectElement = false;
        continue;
      }
      i = skipSpace(b, i, end);
      if (i >= end) {
        return false;
      }
      byte c = b[i];
      if (c == '}') {
        if (gen != null) {
          gen.writeEndArray();
        }
        i++;
        if (--depth == 0) {
          return skipSpace(b, i, end) == end;
        }
      } else if (c == delim) {
        i = skipSpace(b, i + 1, end);
        expectElement = true;
      } else {
        return false;
      }
    }
  }

  /** A double-quoted element from its opening quote; the index after the closing one, or -1. */
  private int quoted(JsonGenerator gen, PgType element, byte[] b, int i, int end)
      throws IOException {
    int start = i + 1;
    boolean escaped = false;
    for (i = start; i < end; i++) {
      byte c = b[i];
      if (c == '"') {
        if (gen != null) {
          writeElement(gen, element, b, start, i, escaped);
        }
        return i + 1;
      }
      if (c == '\\') {
        escaped = true;
        i++; // the next byte is literal, whatever it is
      }
    }
    return -1;
  }

  /**
   * An unquoted element: up to the delimiter or a closing brace, trailing whitespace trimmed
   * (as array_in does). Returns the index after it, or -1.
   */
  private int unquoted(JsonGenerator gen, PgType element, byte[] b, int i, int end, byte delim)
      throws IOException {
    int start = i;
    int contentEnd = i; // after the last byte that is not trailing whitespace
    boolean escaped = false;
    for (; i < end; i++) {
      byte c = b[i];
      if (c == delim || c == '}') {
        break;
      }
      if (c == '{' || c == '"') {
        return -1; // array_in rejects these unquoted
      }
      if (c == '\\') {
        escaped = true;
        if (++i >= end) {
          return -1;
        }
        contentEnd = i + 1;
      } else if (!isSpace(c)) {
        contentEnd = i + 1;
      }
    }
    if (i >= end || contentEnd == start) {
      return -1; // unterminated, or an empty element (which array_in rejects too)
    }
    if (gen != null) {
      if (!escaped && isNull(b, start, contentEnd)) {
        gen.writeNull();
      } else {
        writeElement(gen, element, b, start, contentEnd, escaped);
      }
    }
    return i;
  }

  private void writeElement(
      JsonGenerator gen, PgType element, byte[] b, int from, int to, boolean escaped)
      throws IOException {
    if (!escaped) {
      writer.writeValue(gen, element, b, from, to - from);
      return;
    }
    int length = unescape(b, from, to);
    writer.writeValue(gen, element, unescaped, 0, length);
  }

  /** Copies the range into the scratch buffer without its backslashes; returns the length. */
  private int unescape(byte[] b, int from, int to) {
    if (unescaped.length < to - from) {
      unescaped = new byte[Math.max(to - from, unescaped.length * 2)];
    }
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '\\' && i + 1 < to) {
        c = b[++i];
      }
      unescaped[n++] = c;
    }
    return n;
  }

  /** Skips {@code [lower:upper]...=} (or {@code [upper]}); the index after '=', or -1. */
  private static int decorationEnd(byte[] b, int i, int end) {
    while (i < end && b[i] == '[') {
      i = integerEnd(b, i + 1, end);
      if (i < 0) {
        return -1;
      }
      if (i < end && b[i] == ':') {
        i = integerEnd(b, i + 1, end);
        if (i < 0) {
          return -1;
        }
      }
      if (i >= end || b[i] != ']') {
        return -1;
      }
      i++;
    }
    i = skipSpace(b, i, end);
    if (i >= end || b[i] != '=') {
      return -1;
    }
    return skipSpace(b, i + 1, end);
  }

  private static int integerEnd(byte[] b, int i, int end) {
    i = skipSpace(b, i, end);
    if (i < end && (b[i] == '-' || b[i] == '+')) {
      i++;
    }
    int digits = i;
    while (i < end && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i == digits ? -1 : skipSpace(b, i, end);
  }

  private static boolean isNull(byte[] b, int from, int to) {
    return to - from == 4
        && (b[from] | 0x20) == 'n'
        && (b[from + 1] | 0x20) == 'u'
        && (b[from + 2] | 0x20) == 'l'
        && (b[from + 3] | 0x20) == 'l';
  }

  /** array_in's notion of whitespace. */
  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
  }

  private static int skipSpace(byte[] b, int i, int end) {
    while (i < end && isSpace(b[i])) {
      i++;
    }
    return i;
  }
}
