package dev.slipstream.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** One spelling per decimal value, from the text alone. */
class NumberKeyTest {

  @Test
  void equalValuesShareAKey() {
    assertThat(NumberKey.of("1")).isEqualTo(NumberKey.of("1.0")).isEqualTo(NumberKey.of("1e0"))
        .isEqualTo(NumberKey.of("0.1E1")).isEqualTo(NumberKey.of("+001.000")).isEqualTo(NumberKey.of("10e-1"));
    assertThat(NumberKey.of("0")).isEqualTo(NumberKey.of("-0.00")).isEqualTo(NumberKey.of("0e99")).isEqualTo("0");
    assertThat(NumberKey.of("-12.5")).isEqualTo(NumberKey.of("-1.25e1"));
  }

  @Test
  void differentValuesDoNot() {
    assertThat(NumberKey.of("1")).isNotEqualTo(NumberKey.of("10")).isNotEqualTo(NumberKey.of("-1"))
        .isNotEqualTo(NumberKey.of("1.01"));
  }

  @Test
  void textThatIsNoNumberHasNoKey() {
    for (String text : new String[] {"", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "NaN", "Infinity", "1 ", "abc"}) {
      assertThat(NumberKey.of(text)).as(text).isNull();
    }
  }

  @Test
  void hugeExponentsAndLongNumbersAreNeverExpanded() {
    assertThat(NumberKey.of("1e100000000")).isEqualTo("1E100000001");
    assertThat(NumberKey.of("1e999999999999999999999")).hasSizeLessThan(30);
    String hundredThousandDigits = "7" + "0".repeat(99_999);
    assertThat(NumberKey.of(hundredThousandDigits)).isEqualTo("7E100000");
  }

  @Property(tries = 500)
  void agreesWithBigDecimalOnEquality(@ForAll long unscaledA, @ForAll("scales") int scaleA, @ForAll long unscaledB,
      @ForAll("scales") int scaleB) {
    BigDecimal a = BigDecimal.valueOf(unscaledA, scaleA);
    BigDecimal b = BigDecimal.valueOf(unscaledB, scaleB);
    String textA = a.toString();
    assertThat(NumberKey.of(textA)).isEqualTo(NumberKey.of(a.toPlainString()));
    assertThat(NumberKey.of(textA).equals(NumberKey.of(b.toString()))).isEqualTo(a.compareTo(b) == 0);
    assertThat(NumberKey.of(textA)).isEqualTo(NumberKey.of(a.multiply(BigDecimal.TEN).toPlainString() + "e-1"));
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> scales() {
    return net.jqwik.api.Arbitraries.integers().between(-30, 30);
  }
}
