package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.ProcessCpu;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.bench.net.Timestamps;
import io.netty.buffer.ByteBuf;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One system under test in the latency scenario (Slipstream, or the bare pipeline): its server
 * JVM, its N WebSocket clients, and the table whose rows only it fans out. Both servers stream
 * every row of the shared publication, but only the side being measured has rows for its clients,
 * so the windows of the two can alternate on one machine without either fanning out in the
 * other's window. The phase written in each row says which window it belongs to.
 */
final class LatencySide implements AutoCloseable {

  private static final ByteBuf PHASE = Timestamps.key("phase");
  private static final String PATH = "/realtime/v1/websocket?vsn=2.0.0";

  /** What one measured window produced. */
  record Sample(int rate, long rows, long expected, long delivered, Histogram histogram, double cpuSeconds,
      long closed, double achievedRate) {

    boolean complete() {
      return delivered >= expected;
    }
  }

  /** Deliveries of one phase. */
  private static final class Window {
    final Recorder latencies = new Recorder(3);
    final AtomicLong delivered = new AtomicLong();
  }

  final String name;
  final ChildJvm server;
  private final PreparedStatement insert;
  private final LoadGenerator generator;
  private final int subscribers;
  private final String join;
  private final AtomicReferenceArray<Window> windows = new AtomicReferenceArray<>(1 << 16);
  private int nextPhase = 1;
  private LoadGenerator.Clients clients;
  private long closedBefore;
  private int reconnects;

  LatencySide(String name, ChildJvm server, PreparedStatement insert, LoadGenerator generator, int subscribers,
      String join) throws InterruptedException {
    this.name = name;
    this.server = server;
    this.insert = insert;
    this.generator = generator;
    this.subscribers = subscribers;
    this.join = join;
    connect();
  }

  private void connect() throws InterruptedException {
    clients = generator.connect(server.port(), PATH, subscribers, join, (client, content, nanos) -> {
      long received = Timestamps.nowMicros();
      Window w = windows.get((int) Timestamps.longField(content, PHASE));
      w.delivered.incrementAndGet();
      w.latencies.recordValue(Math.max(0, received - Timestamps.commitTimestampMicros(content)));
    }, Duration.ofMinutes(2));
  }

  /**
   * A server still draining the backlog of the clients it cut off may time a handshake out (408):
   * up to three attempts, each after the last has been closed.
   */
  private void reconnect() throws InterruptedException {
    reconnects++;
    for (int attempt = 1; ; attempt++) {
      try {
        connect();
        return;
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw new IllegalStateException(name + ": could not reconnect its clients: " + e.getMessage(), e);
        }
        Progress.step(name + ": reconnecting its clients failed (" + e.getMessage() + "), again in 5 s");
        Thread.sleep(5_000); // let the server drain; the next attempt has its own bounded wait
      }
    }
  }

  /** Clients the server closed (too slow) in all windows so far. */
  long closedEarly() {
    return closedBefore + clients.closedEarly();
  }

  /** How many times the client set was replaced because the server had closed some. */
  int reconnects() {
    return reconnects;
  }

  /**
   * Commits one row per transaction at {@code rate} into this side's table: {@code warmup} not
   * recorded, then {@code measure}; waits until every client has every row (or nothing has
   * arrived for 10 s). CPU is the server JVM's from the first measured commit to the last delivery.
   */
  Sample run(int rate, Duration warmup, Duration measure) throws SQLException, InterruptedException {
    if (clients.closedEarly() > 0) {
      // The server cut clients off in an earlier window: a fresh set, so this window starts even.
      closedBefore += clients.closedEarly();
      clients.close();
      reconnect();
    }
    long closed0 = clients.closedEarly();
    if (!warmup.isZero()) {
      Window warm = open();
      long rows = PacedWriter.write(insert, nextPhase - 1, rate, warmup);
      Waits.untilDoneOrQuiet(() -> warm.delivered.get() >= rows * subscribers, warm.delivered::get,
          Duration.ofSeconds(5), Duration.ofSeconds(60));
    }
    Window w = open();
    double cpu0 = ProcessCpu.seconds(server.pid());
    long t0 = System.nanoTime();
    long rows = PacedWriter.write(insert, nextPhase - 1, rate, measure);
    double achieved = rows / ((System.nanoTime() - t0) / 1e9);
    long expected = rows * subscribers;
    Waits.untilDoneOrQuiet(() -> w.delivered.get() >= expected, w.delivered::get, Duration.ofSeconds(10),
        measure.plusSeconds(120));
    double cpu = ProcessCpu.seconds(server.pid()) - cpu0;
    return new Sample(rate, rows, expected, w.delivered.get(), w.latencies.getIntervalHistogram(), cpu,
        clients.closedEarly() - closed0, achieved);
  }

  private Window open() {
    Window w = new Window();
    windows.set(nextPhase++, w);
    return w;
  }

  @Override
  public void close() {
    clients.close();
  }
}
