package dev.slipstream.runtime.change.json;

import java.util.Arrays;

/**
 * A strict RFC 8259 syntax check of UTF-8 JSON text, one pass, no allocation for nesting up to 64
 * levels.
 *
 * <p>Why check at all when PostgreSQL guarantees that json and jsonb text is valid JSON: the text
 * is embedded raw into a frame that is encoded once and written to every subscriber, so one bad
 * value (a bug upstream, a type resolved wrongly, a future output format) would corrupt every
 * client's stream rather than one value. The check costs a scan of bytes that are about to be
 * copied anyway, and is much cheaper than parsing into a tree and writing it back out.
 *
 * <p>Not checked: that the bytes are well-formed UTF-8 (PostgreSQL converted them to the client
 * encoding; we pass them through as it sent them).
 */
final class JsonText {

  private JsonText() {}

  /** Whether the range holds exactly one JSON value, with optional surrounding whitespace. */
  static boolean isValid(byte[] b, int off, int len) {
    int end = off + len;
    int depth = 0;
    long objects = 0; // bit d set: the container at depth d+1 is an object (for depth < 64)
    long[] deeper = null; // the same for depths from 64 on, allocated only for very deep values
    int i = skipWhitespace(b, off, end);
    boolean expectValue = true;
    while (true) {
      if (expectValue) {
        if (i >= end) {
          return false;
        }
        byte c = b[i];
        if (c == '{' || c == '[') {
          boolean object = c == '{';
          if (depth < 64) {
            objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
          } else {
            deeper = markDeep(deeper, depth - 64, object);
          }
          depth++;
          i = skipWhitespace(b, i + 1, end);
          if (i < end && b[i] == (object ? '}' : ']')) {
            depth--;
            i++;
            expectValue = false;
            continue;
          }
          if (object) {
            i = member(b, i, end);
            if (i < 0) {
              return false;
            }
          }
          continue;
        }
        i = scalarEnd(b, i, end);
        if (i < 0) {
          return false;
        }
        expectValue = false;
        continue;
      }
      i = skipWhitespace(b, i, end);
      if (depth == 0) {
        return i == end;
      }
      if (i >= end) {
        return false;
      }
      boolean inObject = isObject(depth - 1, objects, deeper);
      byte c = b[i];
      if (c == ',') {
        i = skipWhitespace(b, i + 1, end);
        if (inObject) {
          i = member(b, i, end);
          if (i < 0) {
            return false;
          }
        }
        expectValue = true;
      } else if (c == (inObject ? '}' : ']')) {
        depth--;
        i++;
      } else {
        return false;
      }
    }
  }

  /** After an object's '{' or ',': a key string and ':'; the index of the value, or -1. */
  private static int member(byte[] b, int i, int end) {
    if (i >= end || b[i] != '"') {
      return -1;
    }
    i = stringEnd(b, i, end);
    if (i < 0) {
      return -1;
    }
    i = skipWhitespace(b, i, end);
    if (i >= end || b[i] != ':') {
      return -1;
    }
    return skipWhitespace(b, i + 1, end);
  }

  private static int scalarEnd(byte[] b, int i, int end) {
    switch (b[i]) {
      case '"':
        return stringEnd(b, i, end);
      case 't':
        return literalEnd(b, i, end, TRUE);
      case 'f':
        return literalEnd(b, i, end, FALSE);
      case 'n':
        return literalEnd(b, i, end, NULL);
      default:
        return NumberText.numberEnd(b, i, end);
    }
  }

  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private static int literalEnd(byte[] b, int i, int end, byte[] literal) {
    if (end - i < literal.length) {
      return -1;
    }
    for (int j = 0; j < literal.length; j++) {
      if (b[i + j] != literal[j]) {
        return -1;
      }
    }
    return i + literal.length;
  }

  /** From an opening quote: the index after the closing quote, or -1. */
  static int stringEnd(byte[] b, int i, int end) {
    i++;
    while (i < end) {
      int c = b[i] & 0xff;
      if (c == '"') {
        return i + 1;
      }
      if (c < 0x20) {
        return -1; // control characters must be escaped
      }
      if (c == '\\') {
        if (++i >= end) {
          return -1;
        }
        switch (b[i]) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i++;
          case 'u' -> {
            if (end - i < 5) {
              return -1;
            }
            for (int j = 1; j <= 4; j++) {
              if (Character.digit(b[i + j], 16) < 0) {
                return -1;
              }
            }
            i += 5;
          }
          default -> {
            return -1;
          }
        }
      } else {
        i++;
      }
    }
    return -1;
  }

  private static int skipWhitespace(byte[] b, int i, int end) {
    while (i < end) {
      byte c = b[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      i++;
    }
    return i;
  }

  private static long[] markDeep(long[] deeper, int bit, boolean object) {
    int word = bit >>> 6;
    if (deeper == null) {
      deeper = new long[Math.max(4, word + 1)];
    } else if (word >= deeper.length) {
      deeper = Arrays.copyOf(deeper, Math.max(deeper.length * 2, word + 1));
    }
    if (object) {
      deeper[word] |= 1L << (bit & 63);
    } else {
      deeper[word] &= ~(1L << (bit & 63));
    }
    return deeper;
  }

  private static boolean isObject(int depth, long objects, long[] deeper) {
    if (depth < 64) {
      return (objects & (1L << depth)) != 0;
    }
    int bit = depth - 64;
    return (deeper[bit >>> 6] & (1L << (bit & 63))) != 0;
  }
}
