package dev.slipstream.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Filter values checked as PostgreSQL would check them, in time linear in their length. */
class PublishedColumnsTest {

  private static final PublishedColumns CATALOG = new PublishedColumns(Map.of("public.t", Map.of(
      "big", 20, "small", 21, "int", 23, "oid", 26, "real", 700, "double", 701, "num", 1700, "flag", 16, "id", 2950,
      "name", 25)));

  private static String problem(String filter) {
    return CATALOG.problemWith(new ChangeFilter("public", "t", ChangeFilter.parseEvent("*"), RowFilter.parse(filter)));
  }

  @Test
  void integersAreDigitsInTheirTypesRange() {
    assertThat(problem("big=eq.9223372036854775807")).isNull();
    assertThat(problem("big=eq.-9223372036854775808")).isNull();
    assertThat(problem("small=eq.+32767")).isNull();
    assertThat(problem("int=in.(1,-2,0003)")).isNull();
    assertThat(problem("oid=eq.4294967295")).isNull();
    assertThat(problem("big=eq.9223372036854775808"))
        .isEqualTo("invalid filter 'big=eq.9223372036854775808': value \"9223372036854775808\" is out of range for type bigint");
    assertThat(problem("small=eq.32768")).endsWith("value \"32768\" is out of range for type smallint");
    assertThat(problem("int=eq.99999999999999999999999")).endsWith("is out of range for type integer");
    assertThat(problem("int=eq.abc")).endsWith("invalid input syntax for type integer: \"abc\"");
    assertThat(problem("int=eq.1.5")).endsWith("invalid input syntax for type integer: \"1.5\"");
  }

  @Test
  void aHugeExponentIsRefusedWithoutExpandingIt() {
    // Once expanded in full on the event loop (about a minute, 1.4 GB); now a syntax check.
    assertThat(problem("big=eq.1e100000000"))
        .isEqualTo("invalid filter 'big=eq.1e100000000': invalid input syntax for type bigint: \"1e100000000\"");
    assertThat(problem("num=eq.1e100000000")).endsWith("value overflows numeric format");
    assertThat(problem("double=eq.1e100000000")).endsWith("\"1e100000000\" is out of range for type double precision");
    assertThat(problem("real=eq.1e39")).endsWith("\"1e39\" is out of range for type real");
    assertThat(problem("num=eq.1e-100000000")).endsWith("value overflows numeric format");
  }

  @Test
  void decimalsAcceptWhatTheirTypesAccept() {
    assertThat(problem("num=eq.12.50")).isNull();
    assertThat(problem("num=eq.-1e5")).isNull();
    assertThat(problem("num=eq.NaN")).isNull();
    assertThat(problem("double=eq.Infinity")).isNull();
    assertThat(problem("double=eq.1.7976931348623157e308")).isNull();
    assertThat(problem("real=eq..5")).isNull();
    assertThat(problem("num=eq.1e")).endsWith("invalid input syntax for type numeric: \"1e\"");
    assertThat(problem("double=eq.one")).endsWith("invalid input syntax for type double precision: \"one\"");
  }

  @Test
  void booleansUuidsAndText() {
    assertThat(problem("flag=in.(t,yes,OFF)")).isNull();
    assertThat(problem("flag=eq.maybe")).endsWith("invalid input syntax for type boolean: \"maybe\"");
    assertThat(problem("id=eq.6f1c6b8e-2d7a-4c1b-9a43-3f0d2b9c1e77")).isNull();
    assertThat(problem("id=eq.6f1c")).endsWith("invalid input syntax for type uuid: \"6f1c\"");
    assertThat(problem("name=eq.1e100000000")).isNull();
  }
}
