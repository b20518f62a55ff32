package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ValueJsonWriterTest {

  private final Rendered rendered = new Rendered();

  private String json(PgType type, String text) {
    return rendered.json(type, text);
  }

  @Test
  void sqlNullIsJsonNullForEveryType() {
    for (PgType type : new PgType[] {PgType.BOOL, PgType.INT4, PgType.NUMERIC, PgType.TEXT,
        PgType.JSONB, PgType.TIMESTAMPTZ, PgType.builtIn(1007)}) {
      assertThat(json(type, null)).isEqualTo("null");
    }
  }

  @Test
  void booleans() {
    assertThat(json(PgType.BOOL, "t")).isEqualTo("true");
    assertThat(json(PgType.BOOL, "f")).isEqualTo("false");
    assertThat(json(PgType.BOOL, "maybe")).isEqualTo("\"maybe\"");
  }

  @Test
  void integersKeepEveryDigit() {
    assertThat(json(PgType.INT2, "-32768")).isEqualTo("-32768");
    assertThat(json(PgType.INT4, "2147483647")).isEqualTo("2147483647");
    assertThat(json(PgType.INT4, "0")).isEqualTo("0");
    assertThat(json(PgType.INT8, "9223372036854775807")).isEqualTo("9223372036854775807");
    assertThat(json(PgType.INT8, "-9223372036854775808")).isEqualTo("-9223372036854775808");
    assertThat(json(PgType.INT8, "9007199254740993")).isEqualTo("9007199254740993");
  }

  @Test
  void integerTextThatIsNotALongStillCannotBreakTheJson() {
    assertThat(json(PgType.INT8, "99999999999999999999")).isEqualTo("99999999999999999999");
    assertThat(json(PgType.INT4, "12abc")).isEqualTo("\"12abc\"");
    assertThat(json(PgType.INT4, "")).isEqualTo("\"\"");
  }

  @Test
  void oidIsAStringAsToJsonbRendersIt() {
    assertThat(json(PgType.OID, "4294967295")).isEqualTo("\"4294967295\"");
  }

  @Test
  void floatsAreNumbersAsPrintedAndSpecialValuesStrings() {
    assertThat(json(PgType.FLOAT8, "0.1")).isEqualTo("0.1");
    assertThat(json(PgType.FLOAT8, "1e+100")).isEqualTo("1e+100");
    assertThat(json(PgType.FLOAT8, "1.5e-07")).isEqualTo("1.5e-07");
    assertThat(json(PgType.FLOAT8, "-0")).isEqualTo("-0");
    assertThat(json(PgType.FLOAT8, "5e-324")).isEqualTo("5e-324");
    assertThat(json(PgType.FLOAT4, "3.4028235e+38")).isEqualTo("3.4028235e+38");
    assertThat(json(PgType.FLOAT8, "NaN")).isEqualTo("\"NaN\"");
    assertThat(json(PgType.FLOAT8, "Infinity")).isEqualTo("\"Infinity\"");
    assertThat(json(PgType.FLOAT4, "-Infinity")).isEqualTo("\"-Infinity\"");
  }

  @Test
  void numericIsANumberWhenADoubleHoldsItExactly() {
    assertThat(json(PgType.NUMERIC, "0")).isEqualTo("0");
    assertThat(json(PgType.NUMERIC, "0.000")).isEqualTo("0.000");
    assertThat(json(PgType.NUMERIC, "0.1")).isEqualTo("0.1");
    assertThat(json(PgType.NUMERIC, "-0.1")).isEqualTo("-0.1");
    assertThat(json(PgType.NUMERIC, "1.50")).isEqualTo("1.50");
    assertThat(json(PgType.NUMERIC, "0.0000001")).isEqualTo("0.0000001");
    assertThat(json(PgType.NUMERIC, "0.00000012345")).isEqualTo("0.00000012345");
    assertThat(json(PgType.NUMERIC, "9007199254740992")).isEqualTo("9007199254740992");
    assertThat(json(PgType.NUMERIC, "123456789012345.6")).isEqualTo("123456789012345.6");
    assertThat(json(PgType.NUMERIC, "3.141592653589793")).isEqualTo("3.141592653589793");
    assertThat(json(PgType.NUMERIC, "12345678901234567000")).isEqualTo("12345678901234567000");
    String tenTo308 = "1" + "0".repeat(308);
    assertThat(json(PgType.NUMERIC, tenTo308)).isEqualTo(tenTo308);
  }

  @Test
  void numericIsAnExactStringWhenADoubleWouldRoundIt() {
    assertThat(json(PgType.NUMERIC, "12345678901234567890"))
        .isEqualTo("\"12345678901234567890\"");
    assertThat(json(PgType.NUMERIC, "9007199254740993")).isEqualTo("\"9007199254740993\"");
    assertThat(json(PgType.NUMERIC, "1234567890123456.7")).isEqualTo("\"1234567890123456.7\"");
    assertThat(json(PgType.NUMERIC, "3.1415926535897932")).isEqualTo("\"3.1415926535897932\"");
    assertThat(json(PgType.NUMERIC, "0.1000000000000000055511151231257827"))
        .isEqualTo("\"0.1000000000000000055511151231257827\"");
    String tenTo309 = "1" + "0".repeat(309); // beyond a double's range
    assertThat(json(PgType.NUMERIC, tenTo309)).isEqualTo("\"" + tenTo309 + "\"");
    String tenToMinus400 = "0." + "0".repeat(399) + "1"; // below it
    assertThat(json(PgType.NUMERIC, tenToMinus400)).isEqualTo("\"" + tenToMinus400 + "\"");
    assertThat(json(PgType.NUMERIC, "NaN")).isEqualTo("\"NaN\"");
    assertThat(json(PgType.NUMERIC, "Infinity")).isEqualTo("\"Infinity\"");
    assertThat(json(PgType.NUMERIC, "-Infinity")).isEqualTo("\"-Infinity\"");
  }

  @Test
  void stringsAreEscapedAsJsonNeeds() throws Exception {
    assertThat(json(PgType.TEXT, "")).isEqualTo("\"\"");
    assertThat(json(PgType.TEXT, "NULL")).isEqualTo("\"NULL\"");
    assertThat(json(PgType.TEXT, "a\"b\\c/d")).isEqualTo("\"a\\\"b\\\\c/d\"");
    assertThat(json(PgType.TEXT, "\t\n\u0001\u007f")).isEqualTo("\"\\t\\n\\u0001\u007f\"");
    String unicode = "ü 日本 😀 \u2028";
    assertThat(new ObjectMapper().readTree(json(PgType.TEXT, unicode)).textValue())
        .isEqualTo(unicode);
    assertThat(json(PgType.BPCHAR, "ab   ")).isEqualTo("\"ab   \"");
    assertThat(json(PgType.BYTEA, "\\x0a0b")).isEqualTo("\"\\\\x0a0b\"");
    assertThat(json(PgType.CHAR, "\\310")).isEqualTo("\"\\\\310\"");
    assertThat(json(PgType.UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        .isEqualTo("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
    assertThat(json(PgType.MONEY, "-$1,234.56")).isEqualTo("\"-$1,234.56\"");
    assertThat(json(PgType.INET, "::1")).isEqualTo("\"::1\"");
    assertThat(json(PgType.VARBIT, "0101")).isEqualTo("\"0101\"");
    assertThat(json(PgType.XML, "<a x=\"1\"/>")).isEqualTo("\"<a x=\\\"1\\\"/>\"");
  }

  @Test
  void dateTimeTypesRenderedAsTheirTextAreStrings() {
    assertThat(json(PgType.DATE, "2024-02-29")).isEqualTo("\"2024-02-29\"");
    assertThat(json(PgType.DATE, "4713-01-01 BC")).isEqualTo("\"4713-01-01 BC\"");
    assertThat(json(PgType.DATE, "-infinity")).isEqualTo("\"-infinity\"");
    assertThat(json(PgType.TIME, "23:59:59.999999")).isEqualTo("\"23:59:59.999999\"");
    assertThat(json(PgType.TIMETZ, "12:00:00-08")).isEqualTo("\"12:00:00-08\"");
    assertThat(json(PgType.INTERVAL, "1 year 2 mons -3 days 04:05:06.7"))
        .isEqualTo("\"1 year 2 mons -3 days 04:05:06.7\"");
  }

  @Test
  void timestampsGetTheTAndAnOffsetWithMinutes() {
    assertThat(json(PgType.TIMESTAMP, "2024-01-02 03:04:05.123456"))
        .isEqualTo("\"2024-01-02T03:04:05.123456\"");
    assertThat(json(PgType.TIMESTAMP, "0001-01-01 00:00:00 BC"))
        .isEqualTo("\"0001-01-01T00:00:00 BC\"");
    assertThat(json(PgType.TIMESTAMP, "294276-12-31 23:59:59.999999"))
        .isEqualTo("\"294276-12-31T23:59:59.999999\"");
    assertThat(json(PgType.TIMESTAMP, "infinity")).isEqualTo("\"infinity\"");
    assertThat(json(PgType.TIMESTAMPTZ, "2024-01-02 03:04:05+00"))
        .isEqualTo("\"2024-01-02T03:04:05+00:00\"");
    assertThat(json(PgType.TIMESTAMPTZ, "2024-01-02 03:04:05.5-08"))
        .isEqualTo("\"2024-01-02T03:04:05.5-08:00\"");
    assertThat(json(PgType.TIMESTAMPTZ, "2024-01-02 03:04:05+05:30"))
        .isEqualTo("\"2024-01-02T03:04:05+05:30\"");
    assertThat(json(PgType.TIMESTAMPTZ, "1900-01-01 00:00:00-03:30:52"))
        .isEqualTo("\"1900-01-01T00:00:00-03:30:52\"");
    assertThat(json(PgType.TIMESTAMPTZ, "0001-01-01 00:00:00+00 BC"))
        .isEqualTo("\"0001-01-01T00:00:00+00:00 BC\"");
    assertThat(json(PgType.TIMESTAMPTZ, "10000-01-01 00:00:00+00"))
        .isEqualTo("\"10000-01-01T00:00:00+00:00\"");
    assertThat(json(PgType.TIMESTAMPTZ, "-infinity")).isEqualTo("\"-infinity\"");
    // Not ISO (some other DateStyle): kept as it is rather than guessed at.
    assertThat(json(PgType.TIMESTAMPTZ, "Tue Jan 02 03:04:05 2024 UTC"))
        .isEqualTo("\"Tue Jan 02 03:04:05 2024 UTC\"");
  }

  @Test
  void jsonIsEmbeddedAsItIs() {
    assertThat(json(PgType.JSON, "{\"b\":1,\"a\":[1,2.50,\"x\"],\"a\":null}"))
        .isEqualTo("{\"b\":1,\"a\":[1,2.50,\"x\"],\"a\":null}");
    assertThat(json(PgType.JSON, " \n [1, 2]\t ")).isEqualTo("[1, 2]");
    assertThat(json(PgType.JSON, "\"\\u0000 é\"")).isEqualTo("\"\\u0000 é\"");
    assertThat(json(PgType.JSONB, "null")).isEqualTo("null");
    assertThat(json(PgType.JSONB, "{\"a\": {\"b\": [true, false, -1.5e3]}}"))
        .isEqualTo("{\"a\": {\"b\": [true, false, -1.5e3]}}");
  }

  @Test
  void jsonThatIsNotJsonBecomesAStringRatherThanABrokenFrame() {
    assertThat(json(PgType.JSON, "{\"a\":")).isEqualTo("\"{\\\"a\\\":\"");
    assertThat(json(PgType.JSONB, "")).isEqualTo("\"\"");
    assertThat(json(PgType.JSON, "[1] [2]")).isEqualTo("\"[1] [2]\"");
  }

  @Test
  void largeJsonLargerThanTheGeneratorBuffer() throws Exception {
    StringBuilder big = new StringBuilder("[");
    for (int i = 0; i < 5000; i++) {
      big.append(i == 0 ? "" : ",").append("{\"i\":").append(i).append(",\"s\":\"ü\"}");
    }
    String text = big.append(']').toString();
    assertThat(json(PgType.JSONB, text)).isEqualTo(text);
    JsonNode tree = new ObjectMapper().readTree(json(PgType.JSONB, text));
    assertThat(tree.size()).isEqualTo(5000);
  }

  @Test
  void typesWithoutARuleAreStrings() {
    assertThat(json(PgType.of(600), "(1,2)")).isEqualTo("\"(1,2)\"");
    assertThat(json(PgType.of(123456), "anything {at} all")).isEqualTo("\"anything {at} all\"");
    assertThat(json(PgType.userDefined(16385, "public", "mood"), "happy"))
        .isEqualTo("\"happy\"");
    assertThat(json(PgType.userDefined(16390, "public", "posint"), "42")).isEqualTo("\"42\"");
  }

  @Test
  void domainsResolvedToTheirBaseTypeRenderLikeIt() {
    PgType posint = PgType.domain(16390, "public", "posint", PgType.INT4);
    assertThat(json(posint, "42")).isEqualTo("42");
    PgType posints = PgType.arrayOf(16389, "public", "_posint", posint);
    assertThat(json(posints, "{1,NULL,3}")).isEqualTo("[1,null,3]");
  }
}
