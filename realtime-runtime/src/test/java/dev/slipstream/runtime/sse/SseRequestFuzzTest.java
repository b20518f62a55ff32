package dev.slipstream.runtime.sse;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.fuzz.FuzzCases;
import dev.slipstream.runtime.fuzz.FuzzCheck;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.route.FilterLimits;
import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.transport.RequestUri;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of an SSE request's subscription: the query string (percent-decoding
 * included, {@link RequestUri#parse}), the {@code filter} row filter, {@code event}, the
 * {@code Last-Event-ID} header or {@code lastEventId} parameter, and the check against the
 * published columns ({@link SseSubscription#parse}); a subscription that parses is then matched
 * against a few rows. Bad input must fail with {@link IllegalArgumentException} (the endpoint's
 * 400 with the message), within a small time and allocation budget. The input is the query, or a
 * {@code Last-Event-ID} value, a newline, then the query. The long run is {@code bin/fuzz sse}.
 */
class SseRequestFuzzTest {

  private static final PublishedColumns CATALOG = new PublishedColumns(Map.of("public.messages",
      Map.of("id", 20, "room", 25, "body", 25, "score", 1700, "pinned", 16)));

  private static final List<RowChange> ROWS = List.of(
      insert(MESSAGES, message("1", "lobby", "hi", "12.5", "t")),
      insert(MESSAGES, message("-9223372036854775808", "", "x", "NaN", "f")),
      insert(MESSAGES, message("42", "a,b", "\"q\"", "-123456789012345678901234567890.000001e-3", null)),
      insert(MESSAGES, message("7", null, null, "Infinity", "true")),
      insert(MESSAGES, dev.slipstream.runtime.change.ChangeFixtures.tuple("8", ColumnValue.UNCHANGED_TOAST, "b",
          "0", "false")));

  @FuzzTest
  void subscription(byte[] input) {
    FuzzCheck.withinBudget(input, () -> parse(input));
  }

  @Test
  void briefRun() {
    assertThat(FuzzCases.run(getClass(), "subscription", FuzzCases.BRIEF_CASES, this::subscription))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  static void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String header = newline < 0 ? null : text.substring(0, newline);
    String query = newline < 0 ? text : text.substring(newline + 1);
    SseSubscription subscription;
    try {
      RequestUri uri = RequestUri.parse(SseEndpoint.PATH + "?" + query);
      subscription = SseSubscription.parse(uri, header, new FilterLimits(4096, 100), CATALOG);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotNull();
      return;
    }
    for (RowChange row : ROWS) {
      subscription.filter().matches(row);
    }
    if (subscription.filter().rowFilter() != null) {
      subscription.filter().rowFilter().toString();
    }
  }
}
