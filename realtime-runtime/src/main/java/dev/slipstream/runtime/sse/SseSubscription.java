package dev.slipstream.runtime.sse;

import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.FilterLimits;
import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.route.RowFilter;
import dev.slipstream.runtime.transport.RequestUri;

/**
 * What an SSE request subscribes to, read from its query ({@code schema}, {@code table},
 * {@code event}, {@code filter}, {@code lastEventId}) and its {@code Last-Event-ID} header, and
 * checked against the tenant's filter limits and published columns. Apart from the connection so
 * that the parsing can be tested (and fuzzed) on its own.
 *
 * @param filter the change filter, before any claim-based access rule is added
 * @param resumeAfter the position to resume after, or null for the live stream only
 */
record SseSubscription(ChangeFilter filter, EventPosition resumeAfter) {

  /** The published tables refuse the subscription (a table, a column, a value): worth a fresh read of them. */
  static final class NotPublished extends IllegalArgumentException {
    NotPublished(String message) {
      super(message);
    }
  }

  /**
   * Parses and checks; throws {@link IllegalArgumentException} (a
   * {@link dev.slipstream.runtime.limits.LimitExceededException} when over a limit, {@link NotPublished}
   * when the published tables refuse it) whose message is the client's 400 reason.
   *
   * @param lastEventIdHeader the request's {@code Last-Event-ID} header, or null
   */
  static SseSubscription parse(RequestUri uri, String lastEventIdHeader, FilterLimits limits,
      PublishedColumns catalog) {
    String filterText = uri.parameter("filter", null);
    RowFilter rowFilter = filterText == null || filterText.isBlank() ? null : RowFilter.parse(filterText, limits);
    ChangeFilter filter = new ChangeFilter(uri.parameter("schema", "public"),
        uri.parameter("table", ChangeFilter.ALL_TABLES), ChangeFilter.parseEvent(uri.parameter("event", "*")),
        rowFilter);
    String problem = catalog.problemWith(filter);
    if (problem != null) {
      throw new NotPublished(problem);
    }
    String lastEventId = lastEventIdHeader != null ? lastEventIdHeader : uri.parameter("lastEventId", null);
    EventPosition resumeAfter = lastEventId == null || lastEventId.isBlank() ? null
        : EventPosition.parse(lastEventId.trim());
    return new SseSubscription(filter, resumeAfter);
  }
}
