package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RowFiltersTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "status <> 'draft'",
      "(total > 100) AND (status IN ('paid', 'shipped'))",
      "name = 'O''Brien'",
      "note = ')' OR note = ';' OR note = '--' OR note = '/*' OR note = '$$'",
      "\"weird)col\" > 0",
      "\"we\"\"ird\" IS NOT NULL",
      "price > 1e3",
      "data ? 'vip'",
      "tags @> ARRAY['a', 'b']",
      "e'no escapes here' = label",
      "U&'d\\0061t\\+000061' = label",
      "a - -1 > 0",
      "a / 2 > 1",
  })
  void acceptsSingleExpressions(String filter) {
    assertThat(RowFilters.problem(filter)).isEmpty();
  }

  static Stream<Arguments> breakouts() {
    return Stream.of(
        arguments("true); DROP TABLE orders; --", "closes a parenthesis it did not open"),
        arguments("id > 1; DROP TABLE orders", "contains ';': a row filter is a single expression"),
        arguments("id > 1) OR (true", "closes a parenthesis it did not open"),
        arguments("id > 1), TABLE \"secret\" WHERE (true", "closes a parenthesis it did not open"),
        arguments("id > 1 -- comment", "contains an SQL comment"),
        arguments("id /* comment */ > 1", "contains an SQL comment"),
        arguments("(id > 1", "leaves a parenthesis open"),
        arguments("status = 'open", "has an unterminated string constant"),
        arguments("\"status = 1", "has an unterminated quoted identifier"),
        arguments("status = $$a$$", "uses '$' outside quotes; dollar-quoted strings are not supported, quote such names"),
        // PostgreSQL reads E'\') OR (true' as one string; a scan of standard strings would see code after E'\'.
        arguments("status = E'\\') OR (true'", "uses a backslash in an E'...' string constant; write the string without escapes"));
  }

  @ParameterizedTest
  @MethodSource("breakouts")
  void refusesWhatWouldLeaveTheParentheses(String filter, String problem) {
    assertThat(RowFilters.problem(filter)).contains(problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void refusesEmptyFilters(String filter) {
    assertThat(RowFilters.problem(filter)).contains("is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a = 'x\0'", "a\0"})
  void refusesNul(String filter) {
    assertThat(RowFilters.problem(filter)).contains("contains the NUL character");
  }
}
