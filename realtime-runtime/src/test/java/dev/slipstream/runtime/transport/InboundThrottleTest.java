package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.limits.Share;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client over its bytes per second is not read from until it is even again; nothing reads around it. */
class InboundThrottleTest {

  private final ReadCounter reads = new ReadCounter();
  private final ClientConnection connection = ClientConnectionTest.connection(1 << 20, 1000);
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel(reads, connection);
    channel.freezeTime();
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private void read(int bytes) {
    channel.writeInbound(Unpooled.buffer(bytes).writeZero(bytes));
    ReferenceCountUtil.release(channel.readInbound());
  }

  private void advance(Duration duration) {
    channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aBurstOfTwiceTheRateIsReadWithoutPause() {
    read(2000);

    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void beyondTheBurstReadingPausesForWhatIsOwedAndNothingReadsAroundIt() {
    read(2500); // 500 bytes owed at 1,000 per second: half a second

    assertThat(channel.config().isAutoRead()).isFalse();
    int readsBefore = reads.count;
    channel.read(); // as Netty's WebSocket handler asks after answering a ping
    assertThat(reads.count).isEqualTo(readsBefore);

    advance(Duration.ofMillis(499));
    assertThat(channel.config().isAutoRead()).isFalse();

    advance(Duration.ofMillis(1));
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(reads.count).as("the held-back read goes out").isGreaterThan(readsBefore);
  }

  @Test
  void aLongerPauseExtendsTheCurrentOne() {
    connection.throttle().pause(Duration.ofMillis(100).toNanos(), Share.MESSAGES);
    connection.throttle().pause(Duration.ofMillis(300).toNanos(), Share.JOINS);

    advance(Duration.ofMillis(200));
    assertThat(channel.config().isAutoRead()).isFalse();
    advance(Duration.ofMillis(100));
    assertThat(channel.config().isAutoRead()).isTrue();
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
