package dev.slipstream.runtime.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class EventPositionTest {

  @Test
  void textFormIsSixteenUpperCaseHexDigitsDashIndex() {
    assertThat(new EventPosition(0x16B3748L, 3)).hasToString("00000000016B3748-3");
    assertThat(new EventPosition(0, 0)).hasToString("0000000000000000-0");
    assertThat(new EventPosition(0xABCDEF0123456789L, 1042)).hasToString("ABCDEF0123456789-1042");
  }

  @Test
  void parsesItsTextForm() {
    assertThat(EventPosition.parse("00000000016B3748-3")).isEqualTo(new EventPosition(0x16B3748L, 3));
    assertThat(EventPosition.parse("00000000016b3748-3")).isEqualTo(new EventPosition(0x16B3748L, 3));
  }

  @Test
  void lsnsWithTheTopBitSetRoundTrip() {
    EventPosition top = new EventPosition(0x8000000000000000L, 0);
    EventPosition max = new EventPosition(-1L, Integer.MAX_VALUE);

    assertThat(top).hasToString("8000000000000000-0");
    assertThat(max).hasToString("FFFFFFFFFFFFFFFF-2147483647");
    assertThat(EventPosition.parse(top.toString())).isEqualTo(top);
    assertThat(EventPosition.parse(max.toString())).isEqualTo(max);
  }

  @Property
  void everyPositionRoundTripsThroughText(@ForAll long commitLsn, @ForAll @IntRange(min = 0) int index) {
    EventPosition position = new EventPosition(commitLsn, index);

    assertThat(EventPosition.parse(position.toString())).isEqualTo(position);
  }

  @Test
  void orderIsCommitLsnThenIndex() {
    EventPosition a = new EventPosition(0x100, 0);
    EventPosition b = new EventPosition(0x100, 1);
    EventPosition c = new EventPosition(0x101, 0);

    assertThat(a).isLessThan(b);
    assertThat(b).isLessThan(c);
    assertThat(a).isLessThan(c);
    assertThat(b.isAfter(a)).isTrue();
    assertThat(a.isAfter(b)).isFalse();
    assertThat(a.isAfter(new EventPosition(0x100, 0))).isFalse();
    assertThat(a.compareTo(new EventPosition(0x100, 0))).isZero();
  }

  @Test
  void lsnsCompareUnsigned() {
    EventPosition belowTopBit = new EventPosition(0x7FFFFFFFFFFFFFFFL, 9);
    EventPosition topBit = new EventPosition(0x8000000000000000L, 0);
    EventPosition max = new EventPosition(-1L, 0);

    assertThat(topBit).isGreaterThan(belowTopBit);
    assertThat(max).isGreaterThan(topBit);
    assertThat(max.isAfter(new EventPosition(0, Integer.MAX_VALUE))).isTrue();
  }

  @Test
  void sortsIntoStreamOrder() {
    List<EventPosition> ordered = List.of(new EventPosition(0, 0), new EventPosition(1, 0), new EventPosition(1, 2),
        new EventPosition(0x16B3748L, 0), new EventPosition(0x7FFFFFFFFFFFFFFFL, 5),
        new EventPosition(0x8000000000000000L, 0), new EventPosition(-2L, 3), new EventPosition(-1L, 0));
    List<EventPosition> shuffled = new ArrayList<>(ordered);
    Collections.shuffle(shuffled, new java.util.Random(42));

    Collections.sort(shuffled);

    assertThat(shuffled).containsExactlyElementsOf(ordered);
  }

  @Property
  void orderAgreesWithUnsignedLsnThenIndex(@ForAll long lsnA, @ForAll @IntRange(min = 0, max = 3) int indexA,
      @ForAll long lsnB, @ForAll @IntRange(min = 0, max = 3) int indexB) {
    int expected = lsnA != lsnB ? Long.compareUnsigned(lsnA, lsnB) : Integer.compare(indexA, indexB);

    assertThat(Integer.signum(new EventPosition(lsnA, indexA).compareTo(new EventPosition(lsnB, indexB))))
        .isEqualTo(Integer.signum(expected));
  }

  @Test
  void textOrderIsPositionOrderForIndexesOfEqualWidth() {
    EventPosition low = new EventPosition(0x7FFFFFFFFFFFFFFFL, 3);
    EventPosition high = new EventPosition(0x8000000000000000L, 3);

    assertThat(low.toString()).isLessThan(high.toString());
  }

  @Test
  void negativeIndexIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> new EventPosition(1, -1))
        .withMessage("index must not be negative: -1");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"16B3748-3", "000000000016B3748-3", "00000000016B3748", "00000000016B3748 3",
      "-00000000016B3748"})
  void textWithoutSixteenDigitsAndADashIsRejected(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> EventPosition.parse(text))
        .withMessage("not an event position (expected 16 hex digits, '-', index): " + text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"00000000016G3748-3", "00000000016B3748-", "00000000016B3748-x", "00000000016B3748-3.0",
      "00000000016B3748-99999999999", "0000000016B3748 -3"})
  void badDigitsAreRejectedWithTheText(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> EventPosition.parse(text))
        .withMessage("not an event position: " + text)
        .withCauseInstanceOf(NumberFormatException.class);
  }

  @Test
  void negativeIndexInTextIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> EventPosition.parse("00000000016B3748--1"))
        .withMessageContaining("-1");
  }
}
