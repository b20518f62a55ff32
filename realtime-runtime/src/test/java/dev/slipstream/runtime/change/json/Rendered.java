package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Renders values the way an encoder would and checks the two generator paths agree: the byte
 * generator (writeUTF8String, raw byte views; the hot path) and the char generator (String
 * based). Each value is written twice into an array, so a raw write that got the separators wrong,
 * or scratch state left over from the first write, shows.
 */
final class Rendered {

  private static final JsonFactory FACTORY = new JsonFactory();

  private final ValueJsonWriter writer = new ValueJsonWriter();

  /** The JSON text of the value, checked to be the same on both generator paths. */
  String json(PgType type, String text) {
    String viaBytes = viaBytes(type, text);
    String viaChars = viaChars(type, text);
    assertThat(viaChars).as("char generator output for %s %s", type, text).isEqualTo(viaBytes);
    return viaBytes;
  }

  String viaBytes(PgType type, String text) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] utf8 = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
      // Surround the value with bytes that must not be read, to check offsets are honoured.
      byte[] padded = utf8 == null ? null : pad(utf8);
      try (JsonGenerator gen = FACTORY.createGenerator(out)) {
        gen.writeStartArray();
        if (padded == null) {
          writer.write(gen, type, (byte[]) null);
          writer.write(gen, type, null, 0, 0);
        } else {
          writer.write(gen, type, padded, 3, utf8.length);
          writer.write(gen, type, padded, 3, utf8.length);
        }
        gen.writeEndArray();
      }
      return single(out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String viaChars(PgType type, String text) {
    try {
      StringWriter out = new StringWriter();
      try (JsonGenerator gen = FACTORY.createGenerator(out)) {
        gen.writeStartArray();
        writer.write(gen, type, text);
        writer.write(gen, type, text);
        gen.writeEndArray();
      }
      return single(out.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] pad(byte[] utf8) {
    byte[] padded = new byte[utf8.length + 6];
    padded[0] = '"';
    padded[1] = '{';
    padded[2] = '\\';
    System.arraycopy(utf8, 0, padded, 3, utf8.length);
    padded[utf8.length + 3] = '"';
    padded[utf8.length + 4] = '}';
    padded[utf8.length + 5] = ',';
    return padded;
  }

  /** From {@code [X,X]}, X. */
  private static String single(String pair) {
    int length = (pair.length() - 3) / 2;
    String value = pair.substring(1, 1 + length);
    assertThat(pair).isEqualTo("[" + value + "," + value + "]");
    return value;
  }
}
