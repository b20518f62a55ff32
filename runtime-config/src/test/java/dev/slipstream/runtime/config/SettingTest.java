package dev.slipstream.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing as the runtime does it, writing as the operator does it, errors naming the variable. */
class SettingTest {

  private static final Setting<Integer> NUMBER = Setting.integer("SLIPSTREAM_T_NUMBER").defaultsTo("7", "a number");
  private static final Setting<String> NEEDED = Setting.text("SLIPSTREAM_T_NEEDED").required("needed");
  private static final Setting<String> MAYBE = Setting.text("SLIPSTREAM_T_MAYBE").optional("maybe");
  private static final Setting<Long> COMPUTED = Setting.bytes("SLIPSTREAM_T_COMPUTED")
      .computedDefault("half of something", "computed");
  private static final Setting<Long> SIZE = Setting.bytes("SLIPSTREAM_T_SIZE").defaultsTo("1Mi", "a size");
  private static final Setting<Integer> INT_SIZE = Setting.intBytes("SLIPSTREAM_T_INT_SIZE").defaultsTo("1Mi", "int");
  private static final Setting<Duration> TIME = Setting.duration("SLIPSTREAM_T_TIME").defaultsTo("30s", "a time");
  private static final Setting<List<String>> ITEMS = Setting.list("SLIPSTREAM_T_ITEMS").defaultsTo("", "items");

  @Test
  void unsetOrBlankReadsAsTheDefault() {
    assertThat(NUMBER.read(Map.of())).isEqualTo(7);
    assertThat(NUMBER.read(Map.of("SLIPSTREAM_T_NUMBER", "  "))).isEqualTo(7);
    assertThat(NUMBER.read(Map.of("SLIPSTREAM_T_NUMBER", " 42 "))).isEqualTo(42);
    assertThat(MAYBE.read(Map.of())).isNull();
    assertThat(MAYBE.read(Map.of("SLIPSTREAM_T_MAYBE", " as is "))).isEqualTo(" as is ");
    assertThat(ITEMS.read(Map.of())).isEmpty();
    assertThat(NUMBER.defaultValue()).contains(7);
    assertThat(NUMBER.documentedDefault()).contains("7");
    assertThat(NUMBER.required()).isFalse();
  }

  @Test
  void requiredMustBeSet() {
    assertThat(NEEDED.required()).isTrue();
    assertThat(NEEDED.defaultValue()).isEmpty();
    assertThat(NEEDED.documentedDefault()).isEmpty();
    assertThatThrownBy(() -> NEEDED.read(Map.of())).hasMessage("SLIPSTREAM_T_NEEDED must be set");
    assertThatThrownBy(() -> NEEDED.read(Map.of("SLIPSTREAM_T_NEEDED", " "))).hasMessage("SLIPSTREAM_T_NEEDED must be set");
    assertThatThrownBy(() -> NEEDED.read(Map.of(), () -> "fallback")).hasMessage("SLIPSTREAM_T_NEEDED must be set");
    assertThat(NEEDED.read(Map.of("SLIPSTREAM_T_NEEDED", "db"))).isEqualTo("db");
  }

  @Test
  void aComputedDefaultComesFromTheReader() {
    assertThat(COMPUTED.defaultValue()).isEmpty();
    assertThat(COMPUTED.documentedDefault()).contains("half of something");
    assertThat(COMPUTED.read(Map.of(), () -> 5L)).isEqualTo(5L);
    assertThat(COMPUTED.read(Map.of("SLIPSTREAM_T_COMPUTED", "2Ki"), () -> 5L)).isEqualTo(2048L);
    assertThatThrownBy(() -> COMPUTED.read(Map.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void integers() {
    assertThatThrownBy(() -> NUMBER.parse("4x")).hasMessage("SLIPSTREAM_T_NUMBER must be an integer, was '4x'");
    assertThatThrownBy(() -> NUMBER.parse("3000000000")).hasMessageStartingWith("SLIPSTREAM_T_NUMBER must be an integer");
    assertThat(NUMBER.parse("-3")).isEqualTo(-3);
    assertThat(NUMBER.write(50_000)).isEqualTo("50000");
  }

  @Test
  void byteSizes() {
    assertThat(SIZE.parse("1048576")).isEqualTo(1L << 20);
    assertThat(SIZE.parse("512Ki")).isEqualTo(512L << 10);
    assertThat(SIZE.parse(" 1Mi ")).isEqualTo(1L << 20);
    assertThat(SIZE.parse("4Gi")).isEqualTo(4L << 30);
    for (String bad : List.of("0", "-1", "1M", "1.5Mi", "Mi", "1GiMi", "9223372036854775807Ki", "lots")) {
      assertThatThrownBy(() -> SIZE.parse(bad)).as(bad)
          .hasMessage("SLIPSTREAM_T_SIZE must be a positive byte size such as 1048576 or 1Mi, was '" + bad + "'");
    }
    assertThat(INT_SIZE.parse("2147483647")).isEqualTo(Integer.MAX_VALUE);
    assertThatThrownBy(() -> INT_SIZE.parse("2Gi"))
        .hasMessage("SLIPSTREAM_T_INT_SIZE must be at most 2147483647 bytes, was '2Gi'");
  }

  @Test
  void byteSizesAreWrittenAsPlainDigits() {
    assertThat(SIZE.write(1L << 20)).isEqualTo("1048576");
    assertThat(SIZE.write(4L << 30)).isEqualTo("4294967296");
    assertThat(INT_SIZE.write(10 << 10)).isEqualTo("10240");
    assertThatThrownBy(() -> SIZE.write(0L)).hasMessageStartingWith("SLIPSTREAM_T_SIZE must be between 1 and");
  }

  @Test
  void durations() {
    assertThat(TIME.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(TIME.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(TIME.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThat(TIME.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(TIME.parse("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(TIME.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    for (String bad : List.of("60", "0s", "PT60S", "1 m", "-5s", "5d", "0.0001s", "1m30")) {
      assertThatThrownBy(() -> TIME.parse(bad)).as(bad)
          .hasMessage("SLIPSTREAM_T_TIME must be a positive duration such as 30s, 1m or 1m30s, was '" + bad + "'");
    }
  }

  @Test
  void durationsAreWrittenAsTheCrdWritesThem() {
    assertThat(TIME.write(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(TIME.write(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(TIME.write(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(TIME.write(Duration.ofHours(26))).isEqualTo("26h");
    for (Duration duration : List.of(Duration.ofMillis(1), Duration.ofSeconds(3723), Duration.ofMillis(3_600_001))) {
      assertThat(TIME.parse(TIME.write(duration))).isEqualTo(duration);
    }
    assertThatThrownBy(() -> TIME.write(Duration.ZERO)).hasMessageStartingWith("SLIPSTREAM_T_TIME must be a positive whole number");
    assertThatThrownBy(() -> TIME.write(Duration.ofNanos(1500))).hasMessageStartingWith("SLIPSTREAM_T_TIME");
    assertThat(TIME.writeChecked("60s")).isEqualTo("60s");
    assertThat(TIME.writeChecked("1.5s")).isEqualTo("1.5s");
    assertThatThrownBy(() -> TIME.writeChecked("0.1ms")).hasMessageStartingWith("SLIPSTREAM_T_TIME must be a positive");
  }

  @Test
  void lists() {
    assertThat(ITEMS.parse(" a, b ,,c ")).containsExactly("a", "b", "c");
    assertThat(ITEMS.parse(",")).isEmpty();
    assertThat(ITEMS.write(List.of("public.orders:customer_id=sub", "notes:owner=team")))
        .isEqualTo("public.orders:customer_id=sub,notes:owner=team");
    assertThat(ITEMS.write(List.of())).isEmpty();
    for (String bad : List.of("a,b", " a", "")) {
      assertThatThrownBy(() -> ITEMS.write(List.of(bad))).as(bad).hasMessageStartingWith("SLIPSTREAM_T_ITEMS items");
    }
  }

  @Test
  void choices() {
    Setting<String> format = Setting.choice("SLIPSTREAM_T_FORMAT", "text", "json").defaultsTo("text", "format");
    assertThat(format.kind()).isEqualTo(Kind.CHOICE);
    assertThat(format.choices()).containsExactly("text", "json");
    assertThat(format.parse("json")).isEqualTo("json");
    assertThatThrownBy(() -> format.parse("JSON")).hasMessage("SLIPSTREAM_T_FORMAT must be text or json, not 'JSON'");
    assertThatThrownBy(() -> format.write("xml")).hasMessage("SLIPSTREAM_T_FORMAT must be text or json, not 'xml'");
    Setting<String> level = Setting.choiceIgnoringCase("SLIPSTREAM_T_LEVEL", "INFO", "DEBUG", "WARN")
        .defaultsTo("INFO", "level");
    assertThat(level.parse("debug")).isEqualTo("DEBUG");
    assertThatThrownBy(() -> level.parse("verbose")).hasMessage("SLIPSTREAM_T_LEVEL must be INFO, DEBUG or WARN, not 'verbose'");
  }

  @Test
  void declarationsAreChecked() {
    assertThatThrownBy(() -> Setting.text("DB_HOST")).hasMessageContaining("SLIPSTREAM_");
    assertThatThrownBy(() -> Setting.text("SLIPSTREAM_X").optional("two\nlines")).hasMessageContaining("one line");
    assertThatThrownBy(() -> Setting.integer("SLIPSTREAM_X").defaultsTo("many", "bad default"))
        .hasMessage("SLIPSTREAM_X must be an integer, was 'many'");
    assertThat(NUMBER).hasToString("SLIPSTREAM_T_NUMBER");
  }
}
