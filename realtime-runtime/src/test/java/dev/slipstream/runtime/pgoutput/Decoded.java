package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Typed access to a fixture's decoded messages, and plausibility checks for captured values. */
record Decoded(List<PgOutputMessage> messages) {

  /** Fixtures were captured in November 2026; anything in this window is plausible. */
  private static final Instant EARLIEST = Instant.parse("2024-01-01T00:00:00Z");

  static Decoded fixture(String name) {
    return new Decoded(PgOutputFixture.load(name).decodeAll());
  }

  <T extends PgOutputMessage> T get(int index, Class<T> type) {
    assertThat(messages.get(index)).as("message %d", index).isInstanceOf(type);
    return type.cast(messages.get(index));
  }

  <T extends PgOutputMessage> List<T> all(Class<T> type) {
    return messages.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<String> types() {
    return messages.stream().map(m -> m.getClass().getSimpleName()).toList();
  }

  static void assertPlausibleTime(Instant time) {
    assertThat(time).isAfter(EARLIEST).isBefore(Instant.now().plus(Duration.ofDays(1)));
  }

  static ColumnValue text(String value) {
    return ColumnValue.Text.of(value);
  }

  static TupleData tuple(ColumnValue... values) {
    return TupleData.of(values);
  }
}
