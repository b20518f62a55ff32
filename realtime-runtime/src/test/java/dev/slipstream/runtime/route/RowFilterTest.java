package dev.slipstream.runtime.route;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.delete;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static dev.slipstream.runtime.change.ChangeFixtures.table;
import static dev.slipstream.runtime.change.ChangeFixtures.tuple;
import static dev.slipstream.runtime.change.ChangeFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeFixtures;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.route.RowFilter.Operator;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RowFilterTest {

  /** {@code public.readings (id int4, code text, temp float8, serial oid)}: integer, text, float and oid columns. */
  private static final TableSchema READINGS = table(16600, "public", "readings",
      ChangeFixtures.key("id", PgType.INT4), ChangeFixtures.column("code", PgType.TEXT),
      ChangeFixtures.column("temp", PgType.FLOAT8), ChangeFixtures.column("serial", PgType.OID));

  private static boolean matches(String filter, RowChange change) {
    return RowFilter.parse(filter).matches(change);
  }

  private static RowChange reading(String id, String code, String temp, String serial) {
    return insert(READINGS, tuple(id, code, temp, serial));
  }

  @Nested
  class Parsing {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        room=eq.lobby      | room  | EQ  | lobby
        room=neq.lobby     | room  | NEQ | lobby
        score=lt.10        | score | LT  | 10
        score=lte.10       | score | LTE | 10
        score=gt.-2.5      | score | GT  | -2.5
        score=gte.1e3      | score | GTE | 1e3
        """)
    void everyComparisonOperator(String text, String column, Operator operator, String value) {
      RowFilter filter = RowFilter.parse(text);

      assertThat(filter.column()).isEqualTo(column);
      assertThat(filter.operator()).isEqualTo(operator);
      assertThat(filter.values()).containsExactly(value);
      assertThat(filter).hasToString(text);
    }

    @Test
    void inTakesAParenthesisedList() {
      RowFilter filter = RowFilter.parse("id=in.(1,2,3)");

      assertThat(filter.operator()).isEqualTo(Operator.IN);
      assertThat(filter.values()).containsExactly("1", "2", "3");
      assertThat(filter).hasToString("id=in.(1,2,3)");
    }

    @Test
    void inListItemsAreTrimmedAndUnquoted() {
      assertThat(RowFilter.parse("status=in.( open , \"in progress\",\"closed\")").values())
          .containsExactly("open", "in progress", "closed");
    }

    @Test
    void inWithASingleItem() {
      assertThat(RowFilter.parse("id=in.(7)").values()).containsExactly("7");
    }

    @Test
    void operatorIsCaseInsensitive() {
      assertThat(RowFilter.parse("room=EQ.lobby").operator()).isEqualTo(Operator.EQ);
    }

    @Test
    void doubleQuotedValueKeepsWhatIsInside() {
      assertThat(RowFilter.parse("body=eq.\"hello, world\"").values()).containsExactly("hello, world");
      assertThat(RowFilter.parse("body=eq.\" padded \"").values()).containsExactly(" padded ");
      assertThat(RowFilter.parse("body=eq.\"\"").values()).containsExactly("");
    }

    @Test
    void aLoneQuoteIsKeptLiterally() {
      assertThat(RowFilter.parse("body=eq.\"").values()).containsExactly("\"");
      assertThat(RowFilter.parse("body=eq.\"open").values()).containsExactly("\"open");
    }

    @Test
    void theValueMayContainDotsAndEqualsSigns() {
      RowFilter filter = RowFilter.parse("url=eq.https://example.com/?a=b.c");

      assertThat(filter.column()).isEqualTo("url");
      assertThat(filter.operator()).isEqualTo(Operator.EQ);
      assertThat(filter.values()).containsExactly("https://example.com/?a=b.c");
    }

    @Test
    void anEmptyValueIsAllowed() {
      assertThat(RowFilter.parse("room=eq.").values()).containsExactly("");
    }

    @ParameterizedTest
    @ValueSource(strings = {"room", "room=lobby", "=eq.lobby", "", "room-eq.lobby"})
    void missingPartsAreRejectedWithAnExample(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> RowFilter.parse(text))
          .withMessage("invalid filter '" + text + "': expected column=operator.value, for example room=eq.lobby");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        room=like.lob%   | like
        room=is.null     | is
        room=.lobby      | ''
        room=equals.x    | equals
        """)
    void unknownOperatorIsNamedAndTheSupportedOnesListed(String text, String operator) {
      assertThatIllegalArgumentException().isThrownBy(() -> RowFilter.parse(text))
          .withMessage("invalid filter '" + text + "': unknown operator '" + operator
              + "' (supported: eq, neq, lt, lte, gt, gte, in)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id=in.1,2,3", "id=in.(1,2", "id=in.1,2)", "id=in.()", "id=in.", "id=in.[1,2]"})
    void badInListsAreRejectedWithAnExample(String text) {
      assertThatIllegalArgumentException().isThrownBy(() -> RowFilter.parse(text))
          .withMessage("invalid filter '" + text + "': in needs a list, for example id=in.(1,2,3)");
    }
  }

  @Nested
  class NumericColumns {

    @Test
    void equalityIsByValueNotBySpelling() {
      RowChange row = reading("1", "A1", "20.5", "42");

      assertThat(matches("id=eq.1", row)).isTrue();
      assertThat(matches("id=eq.1.0", row)).isTrue();
      assertThat(matches("id=eq.01", row)).isTrue();
      assertThat(matches("id=eq.1e0", row)).isTrue();
      assertThat(matches("id=eq.2", row)).isFalse();
      assertThat(matches("temp=eq.20.50", row)).isTrue();
      assertThat(matches("temp=eq.205e-1", row)).isTrue();
    }

    @Test
    void orderingIsNumericNotLexicographic() {
      RowChange row = reading("10", "A1", "-3.5", "42");

      assertThat(matches("id=gt.9", row)).isTrue();
      assertThat(matches("id=gte.10", row)).isTrue();
      assertThat(matches("id=lt.9", row)).isFalse();
      assertThat(matches("id=lte.10.0", row)).isTrue();
      assertThat(matches("id=lt.100", row)).isTrue();
      assertThat(matches("temp=lt.-3", row)).isTrue();
      assertThat(matches("temp=gt.-4", row)).isTrue();
      assertThat(matches("temp=gte.-3.49", row)).isFalse();
    }

    @Test
    void numericScaleDoesNotMatter() {
      RowChange row = insert(MESSAGES, message("1", "lobby", "hi", "1.50", "f"));

      assertThat(matches("score=eq.1.5", row)).isTrue();
      assertThat(matches("score=neq.1.5", row)).isFalse();
      assertThat(matches("score=neq.1.51", row)).isTrue();
    }

    @Test
    void inComparesEachItemByValue() {
      RowChange row = reading("2", "A1", "20.5", "42");

      assertThat(matches("id=in.(1,2,3)", row)).isTrue();
      assertThat(matches("id=in.(1.0,2.0)", row)).isTrue();
      assertThat(matches("id=in.(1,3,20)", row)).isFalse();
    }

    @Test
    void oidComparesAsANumber() {
      RowChange row = reading("1", "A1", "20.5", "42");

      assertThat(matches("serial=eq.42", row)).isTrue();
      assertThat(matches("serial=eq.42.0", row)).isTrue();
      assertThat(matches("serial=gt.100", row)).isFalse();
      assertThat(matches("serial=lt.100", row)).isTrue();
    }

    @Test
    void specialFloatValuesCompareAsText() {
      RowChange row = reading("1", "A1", "NaN", "42");

      assertThat(matches("temp=eq.NaN", row)).isTrue();
      assertThat(matches("temp=eq.0", row)).isFalse();
      assertThat(matches("temp=neq.0", row)).isTrue();
    }

    @Test
    void aNonNumericFilterValueOnANumericColumnComparesAsText() {
      RowChange row = reading("1", "A1", "20.5", "42");

      assertThat(matches("id=eq.one", row)).isFalse();
      assertThat(matches("id=neq.one", row)).isTrue();
    }
  }

  @Nested
  class TextColumns {

    @Test
    void equalityIsExactSpelling() {
      RowChange row = reading("1", "1", "20.5", "42");

      assertThat(matches("code=eq.1", row)).isTrue();
      assertThat(matches("code=eq.1.0", row)).isFalse();
      assertThat(matches("code=eq.01", row)).isFalse();
      assertThat(matches("code=neq.1.0", row)).isTrue();
    }

    @Test
    void equalityIsCaseSensitive() {
      RowChange row = insert(MESSAGES, message("1", "Lobby", "hi", "0", "f"));

      assertThat(matches("room=eq.Lobby", row)).isTrue();
      assertThat(matches("room=eq.lobby", row)).isFalse();
    }

    @Test
    void orderingIsLexicographic() {
      RowChange row = reading("1", "10", "20.5", "42");

      assertThat(matches("code=lt.9", row)).isTrue();
      assertThat(matches("code=gt.9", row)).isFalse();
      assertThat(matches("code=gte.10", row)).isTrue();
      assertThat(matches("code=lte.1", row)).isFalse();
    }

    @Test
    void inComparesEachItemExactly() {
      RowChange row = insert(MESSAGES, message("1", "in progress", "hi", "0", "f"));

      assertThat(matches("room=in.(open,\"in progress\")", row)).isTrue();
      assertThat(matches("room=in.(open,closed)", row)).isFalse();
    }

    @Test
    void unicodeTextMatches() {
      RowChange row = insert(MESSAGES, message("1", "café ☕", "hi", "0", "f"));

      assertThat(matches("room=eq.café ☕", row)).isTrue();
    }
  }

  @Test
  void booleansMatchEitherSpelling() {
    RowChange pinned = insert(MESSAGES, message("1", "lobby", "hi", "0", "t"));

    assertThat(matches("pinned=eq.true", pinned)).isTrue();
    assertThat(matches("pinned=eq.t", pinned)).isTrue();
    assertThat(matches("pinned=eq.false", pinned)).isFalse();
    assertThat(matches("pinned=neq.f", pinned)).isTrue();
  }

  @Nested
  class UnknownValues {

    @ParameterizedTest
    @ValueSource(strings = {"body=eq.hi", "body=neq.hi", "body=lt.zzz", "body=lte.zzz", "body=gt.", "body=gte.",
        "body=in.(hi,\"\")"})
    void nullNeverMatchesAnyOperator(String filter) {
      RowChange row = insert(MESSAGES, message("1", "lobby", null, "0", "f"));

      assertThat(matches(filter, row)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"body=eq.hi", "body=neq.hi", "body=lt.zzz", "body=gte.", "body=in.(hi,bye)"})
    void unchangedToastNeverMatchesAnyOperator(String filter) {
      RowChange row = update(MESSAGES, tuple("1", "lobby", ColumnValue.UNCHANGED_TOAST, "0", "f"),
          tuple("1", "lobby", "hi", "0", "f"));

      assertThat(matches(filter, row)).isFalse();
    }

    @Test
    void aColumnTheTableDoesNotHaveNeverMatches() {
      RowChange row = insert(MESSAGES, message("1", "lobby", "hi", "0", "f"));

      assertThat(matches("author=eq.ana", row)).isFalse();
      assertThat(matches("author=neq.ana", row)).isFalse();
    }

    @Test
    void binaryValuesNeverMatch() {
      RowChange row = insert(MESSAGES, tuple("1", new ColumnValue.Binary(new byte[] {'l', 'o'}), "hi", "0", "f"));

      assertThat(matches("room=eq.lo", row)).isFalse();
    }
  }

  @Nested
  class WhichRow {

    @Test
    void deleteMatchesOnTheOldRow() {
      RowChange fullOld = delete(MESSAGES, message("7", "lobby", "bye", "3", "f"));

      assertThat(matches("room=eq.lobby", fullOld)).isTrue();
      assertThat(matches("id=eq.7", fullOld)).isTrue();
      assertThat(matches("room=eq.kitchen", fullOld)).isFalse();
    }

    @Test
    void deleteWithAKeyOnlyOldRowMatchesOnlyOnKeyColumns() {
      RowChange keyOnly = delete(MESSAGES, tuple("7", null, null, null, null));

      assertThat(matches("id=eq.7", keyOnly)).isTrue();
      assertThat(matches("room=eq.lobby", keyOnly)).isFalse();
      assertThat(matches("room=neq.lobby", keyOnly)).isFalse();
    }

    @Test
    void updateMatchesOnTheNewRowNotTheOld() {
      RowChange moved = update(MESSAGES, message("7", "kitchen", "hi", "3", "f"), message("7", "lobby", "hi", "3", "f"));

      assertThat(matches("room=eq.kitchen", moved)).isTrue();
      assertThat(matches("room=eq.lobby", moved)).isFalse();
    }

    @Test
    void updateWithoutOldRowMatchesOnTheNewRow() {
      RowChange row = update(MESSAGES, message("7", "lobby", "edited", "3", "f"), null);

      assertThat(matches("body=eq.edited", row)).isTrue();
    }
  }

  @Test
  void filtersAreValuesWithEquality() {
    assertThat(RowFilter.parse("id=in.(1, 2)")).isEqualTo(new RowFilter("id", Operator.IN, List.of("1", "2")));
  }

  /**
   * BUG (see report): the equality index's normal form expands the exponent of any number-like
   * text ({@code toPlainString}), so one filter {@code room=eq.1e999999999} from a client, or one
   * such value in an indexed text column, allocates a string of a billion digits (OutOfMemoryError
   * on the event loop or the replication thread). The key must stay short.
   */
  @Test
  void equalityKeyOfAHugeExponentStaysShort() {
    assertThat(RowFilter.looseKey("9e99999")).hasSizeLessThan(64);
    assertThat(RowFilter.parse("room=eq.9e99999").equalityKey()).hasSizeLessThan(64);
    assertThat(RowFilter.indexKey(PgType.NUMERIC, "9e99999")).hasSizeLessThan(64);
  }
}
