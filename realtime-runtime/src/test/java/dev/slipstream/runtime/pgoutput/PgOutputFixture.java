package dev.slipstream.runtime.pgoutput;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Real pgoutput messages captured from PostgreSQL by {@link PgOutputFixtureCaptureTest}, stored
 * as {@code src/test/resources/pgoutput/<name>.hex}: {@code #} comment lines (what was run, with
 * which options), then one hex line per message in the order the server sent them. The
 * {@code # options:} line holds the slot options, from which the matching decoder is built.
 */
record PgOutputFixture(String name, int protocolVersion, StreamingMode streaming,
    List<byte[]> messages) {

  /** Every captured fixture. */
  static final List<String> NAMES = List.of(
      "insert", "insert-proto1", "update", "update-identity-full", "delete", "truncate",
      "logical-message", "alter-table", "custom-type", "unchanged-toast", "binary", "origin",
      "streamed", "stream-abort-subtransaction", "stream-abort", "stream-abort-parallel");

  static final String OPTIONS_PREFIX = "# options: ";

  PgOutputFixture {
    messages = List.copyOf(messages);
  }

  static PgOutputFixture load(String name) {
    String resource = "/pgoutput/" + name + ".hex";
    try (InputStream in = PgOutputFixture.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + resource);
      }
      return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<PgOutputFixture> all() {
    return NAMES.stream().map(PgOutputFixture::load).toList();
  }

  static PgOutputFixture parse(String name, String text) {
    LogicalSlot slot = null;
    List<byte[]> messages = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith(OPTIONS_PREFIX)) {
        slot = new LogicalSlot(name, Map.of());
        for (String option : trimmed.substring(OPTIONS_PREFIX.length()).split(" ")) {
          String[] pair = option.split("=", 2);
          slot = slot.with(pair[0], pair[1]);
        }
      } else if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        messages.add(HexFormat.of().parseHex(trimmed));
      }
    }
    if (slot == null) {
      throw new IllegalArgumentException(name + " has no '" + OPTIONS_PREFIX + "' line");
    }
    return new PgOutputFixture(name, slot.protocolVersion(), slot.streaming(), messages);
  }

  /** A fresh decoder configured the way the fixture was captured. */
  PgOutputDecoder decoder() {
    return new PgOutputDecoder(protocolVersion, streaming);
  }

  /** All messages decoded in order by one decoder. */
  List<PgOutputMessage> decodeAll() {
    PgOutputDecoder decoder = decoder();
    return messages.stream().map(decoder::decode).toList();
  }

  /** A decoder in the state it has just before message {@code index}. */
  PgOutputDecoder decoderBefore(int index) {
    PgOutputDecoder decoder = decoder();
    for (int i = 0; i < index; i++) {
      decoder.decode(messages.get(i));
    }
    return decoder;
  }

  byte[] message(int index) {
    return messages.get(index).clone();
  }
}
