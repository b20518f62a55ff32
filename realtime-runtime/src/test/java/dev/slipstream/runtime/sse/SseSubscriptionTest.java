package dev.slipstream.runtime.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.runtime.change.ChangeType;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.limits.LimitExceededException;
import dev.slipstream.runtime.route.FilterLimits;
import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.transport.RequestUri;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SseSubscriptionTest {

  private static final PublishedColumns CATALOG = new PublishedColumns(Map.of("public.messages",
      Map.of("id", 20, "room", 25)));

  private static SseSubscription parse(String query, String lastEventIdHeader) {
    return SseSubscription.parse(RequestUri.parse(SseEndpoint.PATH + "?" + query), lastEventIdHeader,
        FilterLimits.DEFAULTS, CATALOG);
  }

  @Test
  void readsTableEventFilterAndPosition() {
    SseSubscription subscription = parse("table=messages&event=insert&filter=room%3Deq.lobby"
        + "&lastEventId=0000000001A2B3C4-7", null);

    assertThat(subscription.filter().schema()).isEqualTo("public");
    assertThat(subscription.filter().table()).isEqualTo("messages");
    assertThat(subscription.filter().events()).isEqualTo(Set.of(ChangeType.INSERT));
    assertThat(subscription.filter().rowFilter()).hasToString("room=eq.lobby");
    assertThat(subscription.resumeAfter()).isEqualTo(new EventPosition(0x1A2B3C4L, 7));
  }

  @Test
  void theHeaderWinsOverTheParameter() {
    assertThat(parse("table=messages&lastEventId=0000000000000001-0", " 0000000000000002-3 ").resumeAfter())
        .isEqualTo(new EventPosition(2, 3));
  }

  @Test
  void badInputIsTheClientsError() {
    assertThatThrownBy(() -> parse("table=secrets", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table public.secrets is not in this tenant's publications");
    assertThatThrownBy(() -> parse("table=messages&event=upsert", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid event 'upsert'");
    assertThatThrownBy(() -> parse("table=messages&filter=id=eq.abc", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bigint");
    assertThatThrownBy(() -> parse("table=messages&filter=id=eq." + "1".repeat(5000), null))
        .isInstanceOf(LimitExceededException.class);
    assertThatThrownBy(() -> parse("table=messages", "yesterday"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an event position");
  }
}
