package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import dev.slipstream.runtime.limits.LimitMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's byte budget on an {@link EmbeddedChannel}, whose clock only moves when
 * told ({@code advanceTimeBy}). Netty's outbound buffer counts 96 bytes per queued frame on top of
 * its bytes, so the sizes below leave room for that. An EmbeddedChannel runs its queued tasks after every outside
 * write, so one event-loop tick is played by {@link #tick}: the work runs inside the pipeline, and
 * the tasks it queued (the batched flush) run when it ends. A {@link SocketGate} in front of the
 * channel plays the socket: while closed it holds flushed bytes back (the client is not reading),
 * as a full TCP send buffer would.
 */
class ClientConnectionTest {

  private static final long BUDGET = 1000;
  private static final int ENTRY_OVERHEAD = 96;
  private static final Duration WINDOW = DrainProgress.WINDOW;

  private final List<ByteBuf> framesPassedIn = new ArrayList<>();
  private EmbeddedChannel channel;
  private SocketGate socket;
  private int overBudgetCalls;
  private ClientConnection connection;

  @BeforeEach
  void setUp() {
    socket = new SocketGate();
    connection = connection(BUDGET, Long.MAX_VALUE / 4);
    connection.onOverBudget(() -> overBudgetCalls++);
    // The gate sits between the connection and the socket (the channel's head), as the socket would.
    channel = new EmbeddedChannel(socket, connection, new TickRunner());
    channel.freezeTime();
    socket.flushes = 0; // EmbeddedChannel flushes while it registers
  }

  @AfterEach
  void noFrameLeaks() {
    drainOutbound();
    channel.finishAndReleaseAll();
    assertThat(framesPassedIn).allSatisfy(frame -> assertThat(frame.refCnt()).as("refCnt of %s", frame).isZero());
  }

  /** A connection with this budget and inbound rate, on a watch whose sweeps run by hand. */
  static ClientConnection connection(long budget, long inboundBytesPerSecond) {
    ConnectionMetrics metrics = new ConnectionMetrics(new SimpleMeterRegistry());
    return new ClientConnection(new ConnectionLimits(budget, 1 << 20, inboundBytesPerSecond, Duration.ofSeconds(10),
        Duration.ofSeconds(60), Long.MAX_VALUE), metrics, new LimitMetrics(new SimpleMeterRegistry()),
        ConnectionWatch.manual(Long.MAX_VALUE, System::nanoTime),
        new ClientErrors(metrics, new ClientErrorLog(org.slf4j.LoggerFactory.getLogger("test"), 10)));
  }

  private ByteBuf frame(String text) {
    ByteBuf frame = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    framesPassedIn.add(frame);
    return frame;
  }

  private ByteBuf frameOfSize(int bytes) {
    ByteBuf frame = Unpooled.buffer(bytes).writeZero(bytes);
    framesPassedIn.add(frame);
    return frame;
  }

  /** Reads (and releases) what reached the socket, as text. */
  private List<String> drainOutbound() {
    List<String> written = new ArrayList<>();
    for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
      ByteBuf buf = (ByteBuf) message;
      written.add(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    return written;
  }

  /** Runs the work as one event-loop task; tasks it queues run right after it. */
  private void tick(Runnable work) {
    channel.writeInbound(work);
  }

  /** Moves the clock in steps of 100 ms, running what falls due (progress samples reschedule themselves). */
  private void advance(Duration duration) {
    long step = Duration.ofMillis(100).toNanos();
    for (long left = duration.toNanos(); left > 0; left -= step) {
      channel.advanceTimeBy(Math.min(step, left), TimeUnit.NANOSECONDS);
      channel.runScheduledPendingTasks();
      channel.runPendingTasks();
    }
  }

  @Test
  void framesWrittenInOneTickAreFlushedOnceWhenItEnds() {
    List<String> seenDuringTheTick = new ArrayList<>();
    tick(() -> {
      connection.send(frame("a"));
      connection.send(frame("b"));
      connection.send(frame("c"));
      seenDuringTheTick.add("flushes=" + socket.flushes + " outbound=" + channel.outboundMessages().size());
    });

    assertThat(seenDuringTheTick).containsExactly("flushes=0 outbound=0");
    assertThat(socket.flushes).isEqualTo(1);
    assertThat(drainOutbound()).containsExactly("a", "b", "c");

    tick(() -> {
      connection.send(frame("d"));
      connection.send(frame("e"));
    });

    assertThat(socket.flushes).isEqualTo(2);
    assertThat(drainOutbound()).containsExactly("d", "e");
  }

  @Test
  void aTickWithoutFramesDoesNotFlush() {
    channel.runPendingTasks();
    channel.runPendingTasks();

    assertThat(socket.flushes).isZero();
  }

  @Test
  void overTheHardLimitTheClientIsJudgedOnceAndLaterFramesAreReleased() {
    socket.close();
    // 64 x 1,000 bytes = 64,000: twelve 5,000-byte frames fit in the backlog, the thirteenth does not.
    for (int i = 0; i < 12; i++) {
      connection.send(frameOfSize(5000));
    }
    channel.runPendingTasks();
    assertThat(overBudgetCalls).isZero();

    ByteBuf thirteenth = frameOfSize(5000);

    connection.send(thirteenth);
    channel.runPendingTasks();

    assertThat(overBudgetCalls).isEqualTo(1);
    assertThat(thirteenth.refCnt()).isZero();

    ByteBuf later = frameOfSize(10);
    ByteBuf laterWithPosition = frameOfSize(10);
    connection.send(later);
    connection.send(laterWithPosition);
    channel.runPendingTasks();
    advance(WINDOW.multipliedBy(3));

    assertThat(overBudgetCalls).isEqualTo(1);
    assertThat(later.refCnt()).isZero();
    assertThat(laterWithPosition.refCnt()).isZero();
  }

  @Test
  void aBacklogThatDrainsInTimeIsNotJudged() {
    // Far over the budget within a tick (a burst), but under the hard limit and the socket drains.
    for (int i = 0; i < 10; i++) {
      connection.send(frameOfSize(1000));
    }
    channel.runPendingTasks();
    assertThat(drainOutbound()).hasSize(10);

    advance(WINDOW.multipliedBy(2));

    assertThat(overBudgetCalls).isZero();
  }

  @Test
  void aClientThatStopsReadingIsJudgedAfterAWindowWithoutProgress() {
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(32, 64));
    socket.close();

    ByteBuf stuck = frameOfSize(1500);
    connection.send(stuck);
    channel.runPendingTasks();

    assertThat(channel.isWritable()).as("writable with 1,500 bytes stuck over a 64-byte high water mark").isFalse();
    advance(WINDOW.minusMillis(100));
    assertThat(overBudgetCalls).isZero();

    advance(Duration.ofMillis(100));

    assertThat(overBudgetCalls).isEqualTo(1);
    // What it had not been sent is dropped at once: the close frame is next in line.
    assertThat(channel.unsafe().outboundBuffer().totalPendingWriteBytes()).isZero();
    assertThat(stuck.refCnt()).isZero();
    ByteBuf after = frameOfSize(10);
    connection.send(after);
    assertThat(after.refCnt()).isZero();
    advance(WINDOW.multipliedBy(3));
    assertThat(overBudgetCalls).isEqualTo(1);
  }

  @Test
  void aClientUnderItsBudgetIsNeverJudgedHoweverSlow() {
    socket.close();

    connection.send(frameOfSize(600 - ENTRY_OVERHEAD));
    connection.send(frameOfSize(400 - ENTRY_OVERHEAD));
    channel.runPendingTasks();
    advance(WINDOW.multipliedBy(10));

    assertThat(overBudgetCalls).isZero();
    socket.open();
    assertThat(drainOutbound()).hasSize(2);
  }

  @Test
  void aClientThatKeepsDrainingSlowlyIsNeverJudged() {
    socket.close();
    connection.send(frameOfSize(1500));
    connection.send(frameOfSize(1500));
    channel.runPendingTasks();

    // Over budget for a minute, and stalling for up to 4 s at a time (a reader descheduled on a
    // loaded machine), but every window it drains a frame, and more keeps coming.
    for (int second = 0; second < 60; second += 4) {
      advance(Duration.ofSeconds(4));
      socket.open();
      drainOutbound();
      socket.close();
      connection.send(frameOfSize(1500));
      connection.send(frameOfSize(1500));
      channel.runPendingTasks();
    }

    assertThat(overBudgetCalls).isZero();

    advance(WINDOW.plus(DrainProgress.SAMPLE_INTERVAL)); // then it stops: judged on the first sample a window after its last progress
    assertThat(overBudgetCalls).isEqualTo(1);
  }

  @Test
  void framesForAnInactiveChannelAreReleased() {
    channel.close();
    ByteBuf frame = frame("late");

    connection.send(frame);

    assertThat(frame.refCnt()).isZero();
    assertThat(overBudgetCalls).isZero();
  }

  @Test
  void whatOtherHandlersWriteCountsAgainstTheBudgetToo() {
    socket.close();
    // As Netty's pong or an HTTP response would: written through the pipeline, not through send().
    channel.writeAndFlush(frameOfSize(70_000)); // over the 64 KiB high water mark
    channel.runPendingTasks();

    assertThat(overBudgetCalls).as("judged when the channel became unwritable").isEqualTo(1);
  }

  @Test
  void whatAClientHoldsIsItsBacklogAndItsUnfinishedMessage() {
    socket.close();
    connection.send(frameOfSize(1000));
    channel.runPendingTasks();
    channel.writeInbound(Unpooled.buffer(300).writeZero(300));
    channel.releaseInbound();

    assertThat(connection.heldBytes()).isEqualTo(1000 + ENTRY_OVERHEAD + 300);

    connection.messageCompleted();

    assertThat(connection.heldBytes()).isEqualTo(1000 + ENTRY_OVERHEAD);
  }

  /** Runs each {@link Runnable} written inbound: one event-loop task. */
  static final class TickRunner extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Runnable work) {
        work.run();
      } else {
        ctx.fireChannelRead(msg);
      }
    }
  }

  /**
   * Stands for the socket. Open, a flush goes through and the channel's writes complete. Closed,
   * flushes are held back: written bytes stay in the channel's outbound buffer, their write
   * futures pending, as when the client stops reading. Counts flushes either way.
   */
  static final class SocketGate extends ChannelOutboundHandlerAdapter {
    int flushes;
    private boolean open = true;
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      if (open) {
        ctx.flush();
      }
    }

    void close() {
      open = false;
    }

    /** The client reads again: everything held back is sent. */
    void open() {
      open = true;
      ctx.flush();
    }
  }
}
