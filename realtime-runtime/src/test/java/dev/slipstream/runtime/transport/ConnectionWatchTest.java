package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.limits.LimitMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Over the process's cap, the clients holding the most are closed first, until a quarter is free. */
class ConnectionWatchTest {

  private static final int OVERHEAD = 96;
  private final ConnectionMetrics metrics = new ConnectionMetrics(new SimpleMeterRegistry());
  private final AtomicLong now = new AtomicLong();
  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final ConnectionWatch watch = ConnectionWatch.manual(10_000, now::get);

  @AfterEach
  void closeAll() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** A client that does not read, holding {@code bytes} of unsent output. */
  private EmbeddedChannel holding(int bytes) {
    ClientConnection connection = new ClientConnection(new ConnectionLimits(1L << 40, 1 << 20, 1 << 20,
        Duration.ofSeconds(10), Duration.ofSeconds(60), 10_000), metrics, new LimitMetrics(new SimpleMeterRegistry()),
        watch, new ClientErrors(metrics, new ClientErrorLog(org.slf4j.LoggerFactory.getLogger("test"), 10)));
    EmbeddedChannel channel = new EmbeddedChannel(new NeverFlushed(), connection);
    connection.send(Unpooled.buffer(bytes).writeZero(bytes));
    channel.runPendingTasks();
    channels.add(channel);
    return channel;
  }

  @Test
  void theLargestHoldersAreClosedFirstUntilThreeQuartersOfTheCap() {
    EmbeddedChannel small = holding(1_000 - OVERHEAD);
    EmbeddedChannel large = holding(6_000 - OVERHEAD);
    EmbeddedChannel medium = holding(3_000 - OVERHEAD);
    EmbeddedChannel other = holding(2_000 - OVERHEAD);

    watch.sweep(); // 12,000 held: over 10,000; closing the largest leaves 6,000, under 7,500
    channels.forEach(EmbeddedChannel::runPendingTasks);

    assertThat(large.isOpen()).isFalse();
    assertThat(small.isOpen()).isTrue();
    assertThat(medium.isOpen()).isTrue();
    assertThat(other.isOpen()).isTrue();
    assertThat(metrics.closedCount(ConnectionMetrics.MEMORY_PRESSURE)).isEqualTo(1);
    assertThat(watch.heldBytes()).isEqualTo(12_000);

    watch.sweep();
    assertThat(watch.heldBytes()).isEqualTo(6_000);
  }

  @Test
  void underTheCapNobodyIsClosed() {
    EmbeddedChannel one = holding(4_000);
    EmbeddedChannel two = holding(4_000);

    watch.sweep();
    channels.forEach(EmbeddedChannel::runPendingTasks);

    assertThat(one.isOpen()).isTrue();
    assertThat(two.isOpen()).isTrue();
  }

  @Test
  void itListsTheChannelsOfTheConnectionsStillOpen() {
    EmbeddedChannel one = holding(100);
    EmbeddedChannel two = holding(100);
    assertThat(watch.channels()).containsExactlyInAnyOrder(one, two);

    one.close();
    assertThat(watch.channels()).as("what the server closes before its loops stop").containsExactly(two);
  }

  /** The socket of a client that does not read: nothing written ever leaves the outbound buffer. */
  private static final class NeverFlushed extends ChannelOutboundHandlerAdapter {
    @Override
    public void flush(ChannelHandlerContext ctx) {
    }
  }
}
