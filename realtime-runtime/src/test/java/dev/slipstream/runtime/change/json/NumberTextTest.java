package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NumberTextTest {

  @Test
  void jsonNumberGrammar() {
    for (String ok : new String[] {"0", "-0", "1", "-12", "0.5", "1.0e10", "1E+2", "1e-07",
        "123456789012345678901234567890"}) {
      assertThat(isJsonNumber(ok)).as(ok).isTrue();
    }
    for (String bad : new String[] {"", "-", "01", "+1", ".5", "1.", "1e", "1e+", "NaN",
        "Infinity", "-Infinity", "0x1", "1 ", " 1", "1_000", "--1", "1.2.3"}) {
      assertThat(isJsonNumber(bad)).as(bad).isFalse();
    }
  }

  @Test
  void losslessEdges() {
    assertThat(lossless("0.1")).isTrue();
    assertThat(lossless("0.0000001")).isTrue();
    assertThat(lossless("0.00000001234567")).isTrue();
    assertThat(lossless("1.50")).isTrue();
    assertThat(lossless("-0.000")).isTrue();
    assertThat(lossless("9007199254740992")).isTrue();
    assertThat(lossless("9007199254740993")).isFalse();
    assertThat(lossless("12345678901234567890")).isFalse();
    assertThat(lossless("12345678901234567000")).isTrue();
    assertThat(lossless("0.1000000000000000055511151231257827")).isFalse();
    assertThat(lossless("1.7976931348623157e308")).isTrue();
    assertThat(lossless("1.7976931348623159e308")).isFalse(); // overflows to Infinity
    assertThat(lossless("2.2250738585072014e-308")).isTrue();
    assertThat(lossless("1e-400")).isFalse(); // underflows to 0
    // Java's Double.toString prints at least two digits: 4.9E-324. We call that lossy and keep
    // the exact string; JavaScript would have printed 5e-324 (documented, harmless).
    assertThat(lossless("5e-324")).isFalse();
    assertThat(lossless("4.9e-324")).isTrue();
  }

  @Test
  void longs() {
    assertThat(isLong("9223372036854775807")).isTrue();
    assertThat(isLong("9223372036854775808")).isFalse();
    assertThat(isLong("-9223372036854775808")).isTrue();
    assertThat(isLong("-9223372036854775809")).isFalse();
    assertThat(isLong("10000000000000000000")).isFalse();
    assertThat(isLong("-")).isFalse();
    assertThat(isLong("")).isFalse();
    assertThat(isLong("1a")).isFalse();
    assertThat(isLong("00000000000000000000")).isTrue();
    assertThat(isLong("-0009223372036854775808")).isTrue();
    assertThat(isLong("0009223372036854775808")).isFalse();
    assertThat(parseLong("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(parseLong("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(parseLong("-0")).isZero();
  }

  /** Whatever a double prints as, plainly written or not, is lossless. */
  @Property(tries = 2000)
  void everyDoublesShortestFormIsLossless(@ForAll double value) {
    if (!Double.isFinite(value)) {
      return;
    }
    String shortest = Double.toString(value).replace("E", "e");
    assertThat(lossless(shortest)).as(shortest).isTrue();
    String plain = new BigDecimal(shortest).toPlainString();
    assertThat(lossless(plain)).as(plain).isTrue();
  }

  /** The fast paths agree with the definition on decimals of every length and scale. */
  @Property(tries = 5000)
  void agreesWithTheDefinition(@ForAll("decimals") BigDecimal value) {
    String text = value.toPlainString();
    assertThat(lossless(text)).as(text).isEqualTo(byDefinition(value));
  }

  @Provide
  Arbitrary<BigDecimal> decimals() {
    Arbitrary<BigInteger> digits = Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(22)),
        Arbitraries.longs().between(0, 1L << 54).map(BigInteger::valueOf),
        Arbitraries.doubles().map(d -> new BigDecimal(Double.toString(Math.abs(d)))
            .unscaledValue()));
    return Combinators.combine(digits, Arbitraries.integers().between(-320, 320),
        Arbitraries.of(1, -1)).as((unscaled, scale, sign) ->
        new BigDecimal(unscaled, scale).multiply(BigDecimal.valueOf(sign)));
  }

  @Property(tries = 2000)
  void isLongAgreesWithLongParse(@ForAll("longish") String text) {
    boolean expected;
    try {
      Long.parseLong(text);
      expected = !text.startsWith("+");
    } catch (NumberFormatException e) {
      expected = false;
    }
    assertThat(isLong(text)).as(text).isEqualTo(expected);
    if (expected) {
      assertThat(parseLong(text)).isEqualTo(Long.parseLong(text));
    }
  }

  @Provide
  Arbitrary<String> longish() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.strings().withChars("-0123456789").ofMinLength(0).ofMaxLength(21),
        Arbitraries.of("9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "9223372036854775799", "9300000000000000000"));
  }

  private static boolean byDefinition(BigDecimal value) {
    double parsed = Double.parseDouble(value.toString());
    return Double.isFinite(parsed)
        && new BigDecimal(Double.toString(parsed)).compareTo(value) == 0;
  }

  private static boolean isJsonNumber(String text) {
    byte[] b = bytes(text);
    return NumberText.isJsonNumber(b, 1, b.length - 2);
  }

  private static boolean lossless(String text) {
    byte[] b = bytes(text);
    assertThat(NumberText.isJsonNumber(b, 1, b.length - 2)).as(text).isTrue();
    return NumberText.isLosslessDouble(b, 1, b.length - 2);
  }

  private static boolean isLong(String text) {
    byte[] b = bytes(text);
    return NumberText.isLong(b, 1, b.length - 2);
  }

  private static long parseLong(String text) {
    byte[] b = bytes(text);
    return NumberText.parseLong(b, 1, b.length - 2);
  }

  /** The text between two digits that must not be read. */
  private static byte[] bytes(String text) {
    return ("7" + text + "7").getBytes(StandardCharsets.US_ASCII);
  }
}
