package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connections that say nothing are closed: no complete request in time (408), no WebSocket frame in time (4001). */
class ConnectionTimeoutsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ConnectionMetrics metrics = new ConnectionMetrics(registry);
  private EmbeddedChannel channel;

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private void advance(Duration duration) {
    channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  private EmbeddedChannel httpChannel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(new RequestTimeout(Duration.ofSeconds(10), metrics));
    return ch;
  }

  @Test
  void aConnectionWithoutACompleteRequestGets408AndIsClosed() {
    channel = httpChannel();

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
    channel = httpChannel();
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
  void aWebSocketThatSendsNoFrameIsClosedWith4001() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    channel.pipeline().addLast(new WebSocketIdleTimeout(Duration.ofSeconds(60), metrics));

    advance(Duration.ofSeconds(40));
    channel.writeInbound(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER)); // any frame counts
    ReferenceCountUtil.release(channel.readInbound());
    advance(Duration.ofSeconds(40));
    assertThat(channel.isOpen()).as("40 s after its last frame").isTrue();
    channel.writeInbound(new TextWebSocketFrame(false, 0, "half a mess"), new ContinuationWebSocketFrame(true, 0, "age"));
    ReferenceCountUtil.release(channel.readInbound());
    ReferenceCountUtil.release(channel.readInbound());
    advance(Duration.ofSeconds(59));
    assertThat(channel.isOpen()).isTrue();

    advance(Duration.ofSeconds(1));

    CloseWebSocketFrame close = channel.readOutbound();
    assertThat(close.statusCode()).isEqualTo(WebSocketIdleTimeout.IDLE_CLOSE_CODE);
    assertThat(close.reasonText()).isEqualTo("idle: nothing received for 60 s, not even a heartbeat");
    close.release();
    assertThat(channel.isOpen()).isFalse();
    assertThat(metrics.closedCount(ConnectionMetrics.IDLE_TIMEOUT)).isEqualTo(1);
  }
}
