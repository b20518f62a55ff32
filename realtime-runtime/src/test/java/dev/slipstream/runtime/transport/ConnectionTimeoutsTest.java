package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.limits.LimitMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that say nothing are closed: no complete request in time (408), a deadline a stage
 * set (a WebSocket's join), no complete message for the idle timeout. The watch's clock is the
 * test's; its sweeps run by hand.
 */
class ConnectionTimeoutsTest {

  private final ConnectionMetrics metrics = new ConnectionMetrics(new SimpleMeterRegistry());
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ConnectionWatch watch = ConnectionWatch.manual(Long.MAX_VALUE, now::get);
  private final ClientConnection connection = new ClientConnection(new ConnectionLimits(1 << 20, 1 << 20, 1 << 20,
      Duration.ofSeconds(10), Duration.ofSeconds(60), Long.MAX_VALUE), metrics,
      new LimitMetrics(new SimpleMeterRegistry()), watch,
      new ClientErrors(metrics, new ClientErrorLog(org.slf4j.LoggerFactory.getLogger("test"), 10)));
  private EmbeddedChannel channel;

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** Time passes; then the watch sweeps and the channel runs what it handed over. */
  private void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
    watch.sweep();
    channel.runPendingTasks();
  }

  @Test
  void aConnectionWithoutACompleteRequestGets408AndIsClosed() {
    channel = new EmbeddedChannel(connection, new HttpRequests(1024));

    advance(Duration.ofSeconds(9));
    assertThat(channel.isOpen()).isTrue();
    advance(Duration.ofSeconds(1));

    FullHttpResponse response = channel.readOutbound();
    assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_TIMEOUT);
    response.release();
    assertThat(channel.isOpen()).isFalse();
    assertThat(metrics.closedCount(ConnectionMetrics.HANDSHAKE_TIMEOUT)).isEqualTo(1);
  }

  @Test
  void eachRequestOnAKeptAliveConnectionStartsTheTimeAgain() {
    channel = new EmbeddedChannel(connection, new HttpRequests(1024));
    advance(Duration.ofSeconds(8));
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz"));
    ReferenceCountUtil.release(channel.readInbound());

    advance(Duration.ofSeconds(8));
    assertThat(channel.isOpen()).isTrue();
    advance(Duration.ofSeconds(2));
    assertThat(channel.isOpen()).isFalse();
    ReferenceCountUtil.release(channel.readOutbound());
  }

  @Test
  void aStageSetsItsOwnDeadlineOrNone() {
    channel = new EmbeddedChannel(connection);
    AtomicInteger expired = new AtomicInteger();

    channel.runPendingTasks();
    connection.deadline(Duration.ofSeconds(30), expired::incrementAndGet); // a WebSocket must join
    advance(Duration.ofSeconds(29));
    assertThat(expired).hasValue(0);
    advance(Duration.ofSeconds(1));
    assertThat(expired).hasValue(1);
  }

  @Test
  void aClearedDeadlineNeverPasses() {
    channel = new EmbeddedChannel(connection);

    connection.clearDeadline(); // an SSE stream
    advance(Duration.ofDays(1));

    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aConnectionIdleForTheIdleTimeoutIsClosedAndMessagesPushItBack() {
    AtomicInteger idle = idleWebSocket();

    advance(Duration.ofSeconds(40));
    channel.writeInbound(new TextWebSocketFrame("heartbeat"));
    ReferenceCountUtil.release(channel.readInbound());
    advance(Duration.ofSeconds(59));
    assertThat(idle).as("59 s after its last message").hasValue(0);

    advance(Duration.ofSeconds(1));

    assertThat(idle).hasValue(1);
  }

  @Test
  void aFragmentIsNotAMessageButTheFrameThatEndsOneIs() {
    AtomicInteger idle = idleWebSocket();

    advance(Duration.ofSeconds(50));
    channel.writeInbound(new TextWebSocketFrame(false, 0, "half a mess"));
    advance(Duration.ofSeconds(5));
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "age"));
    ReferenceCountUtil.release(channel.readInbound());
    advance(Duration.ofSeconds(59));
    assertThat(idle).as("59 s after the message ended").hasValue(0);

    channel.writeInbound(new TextWebSocketFrame(false, 0, "half of another"));
    advance(Duration.ofSeconds(1));
    assertThat(idle).as("60 s after the last complete message, a fragment since").hasValue(1);
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "."));
    ReferenceCountUtil.release(channel.readInbound());
  }

  private AtomicInteger idleWebSocket() {
    channel = new EmbeddedChannel(connection, new WebSocketMessages(1 << 20));
    connection.clearDeadline();
    AtomicInteger idle = new AtomicInteger();
    connection.closeWhenIdle(ch -> idle.incrementAndGet());
    return idle;
  }
}
