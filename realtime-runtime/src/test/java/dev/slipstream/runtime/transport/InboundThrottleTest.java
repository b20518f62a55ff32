package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.Share;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client over its bytes per second is not read from until it is even again; nothing reads around it. */
class InboundThrottleTest {

  private final LimitMetrics metrics = new LimitMetrics(new SimpleMeterRegistry());
  private final ReadCounter reads = new ReadCounter();
  private EmbeddedChannel channel;
  private InboundThrottle throttle;

  @BeforeEach
  void setUp() {
    throttle = new InboundThrottle(1000, metrics);
    channel = new EmbeddedChannel(reads, throttle);
    channel.freezeTime();
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private void read(int bytes) {
    channel.writeInbound(Unpooled.buffer(bytes).writeZero(bytes));
  }

  @Test
  void aBurstOfTwiceTheRateIsReadWithoutPause() {
    read(2000);

    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(metrics.count(Share.INBOUND_BYTES)).isZero();
  }

  @Test
  void beyondTheBurstReadingPausesForWhatIsOwedAndNothingReadsAroundIt() {
    read(2500); // 500 bytes owed at 1,000 per second: half a second

    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(metrics.count(Share.INBOUND_BYTES)).isEqualTo(1);
    int readsBefore = reads.count;
    channel.read(); // as Netty's WebSocket handler asks after answering a ping
    assertThat(reads.count).isEqualTo(readsBefore);

    channel.advanceTimeBy(Duration.ofMillis(499).toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.config().isAutoRead()).isFalse();

    channel.advanceTimeBy(Duration.ofMillis(1).toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(reads.count).as("the held-back read goes out").isGreaterThan(readsBefore);
  }

  @Test
  void aLongerPauseExtendsTheCurrentOneWhichCountsOnce() {
    throttle.pause(Duration.ofMillis(100).toNanos(), Share.MESSAGES);
    throttle.pause(Duration.ofMillis(300).toNanos(), Share.JOINS);

    channel.advanceTimeBy(Duration.ofMillis(200).toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.config().isAutoRead()).isFalse();
    channel.advanceTimeBy(Duration.ofMillis(100).toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(metrics.count(Share.MESSAGES)).isEqualTo(1);
    assertThat(metrics.count(Share.JOINS)).isZero();
  }

  /** Counts read requests reaching the socket. */
  private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void read(ChannelHandlerContext ctx) {
      count++;
      ctx.read();
    }
  }
}
