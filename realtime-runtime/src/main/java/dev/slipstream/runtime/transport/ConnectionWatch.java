package dev.slipstream.runtime.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every client connection from one thread of its own (never an event loop), every
 * {@code interval}, for two things no single connection can see by itself:
 * <ul>
 *   <li><b>What all clients hold together</b> (unsent output and unfinished input): each client's
 *       own budget bounds one client; this bounds them all, so that many slow clients at once
 *       cannot take the process's direct memory. Over the cap, the largest holders are closed
 *       first until the total is back under three quarters of it.
 *       {@code slipstream_client_bytes_held} shows the total.
 *   <li><b>Deadlines</b>: a connection that sent no complete request, joined no channel or sent
 *       nothing in time (see {@link ClientConnection#deadline}). One sweep over plain fields costs
 *       less than a timer per connection, and a connection's memory is what the tenant pays for
 *       most.
 * </ul>
 */
public final class ConnectionWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConnectionWatch.class);

  private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
  private final long capBytes;
  private final LongSupplier nanoTime;
  private final AtomicLong held = new AtomicLong();
  private final ScheduledExecutorService scheduler;
  /** Sweeps between two sums of what clients hold, while that stays under half the cap. */
  static final int HELD_EVERY = 4;
  private final int heldEvery;
  private long sweeps;

  ConnectionWatch(long capBytes, LongSupplier nanoTime, ScheduledExecutorService scheduler, int heldEvery) {
    this.heldEvery = heldEvery;
    this.capBytes = capBytes;
    this.nanoTime = nanoTime;
    this.scheduler = scheduler;
  }

  /** A watch sweeping every {@code interval}, with its gauge in {@code registry}. */
  public static ConnectionWatch start(long capBytes, Duration interval, MeterRegistry registry) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().name("slipstream-connection-watch").daemon().unstarted(r));
    ConnectionWatch watch = new ConnectionWatch(capBytes, System::nanoTime, scheduler, HELD_EVERY);
    registry.gauge("slipstream.client.bytes.held", watch.held);
    scheduler.scheduleWithFixedDelay(watch::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return watch;
  }

  /** A watch whose sweeps a test runs by hand, on its own clock; each sweep sums what clients hold. */
  public static ConnectionWatch manual(long capBytes, LongSupplier nanoTime) {
    return new ConnectionWatch(capBytes, nanoTime, null, 1);
  }

  /** The default cap: half of the direct memory Netty may allocate (the JVM's limit, by default the heap's maximum). */
  public static long defaultCap() {
    return Math.max(16L << 20, PlatformDependent.maxDirectMemory() / 2);
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  void register(ClientConnection connection) {
    connections.add(connection);
  }

  void unregister(ClientConnection connection) {
    connections.remove(connection);
  }

  /**
   * One sweep: deadlines, and what clients hold. Summing what each client holds reads every
   * connection's outbound buffer, which took a quarter of the runtime's CPU at 15,000 connections
   * and ten sweeps a second (issue #14's fan-out profile; the runtime now sweeps four times a second); it is summed on every
   * {@link #HELD_EVERY}th sweep (every sweep in a manual watch) while the last total was under half the cap, and on every sweep
   * above that, in the same pass as the deadlines.
   */
  void sweep() {
    try {
      long now = nanoTime.getAsLong();
      boolean countHeld = ++sweeps % heldEvery == 0 || held.get() > capBytes / 2;
      long total = 0;
      for (ClientConnection connection : connections) {
        connection.expireIfDue(now);
        if (countHeld) {
          total += connection.heldBytes();
        }
      }
      if (countHeld) {
        checkHeldBytes(total);
      }
    } catch (RuntimeException e) {
      log.error("Connection watch sweep failed", e);
    }
  }

  private void checkHeldBytes(long total) {
    held.set(total);
    if (total <= capBytes) {
      return;
    }
    record Holder(ClientConnection connection, long bytes) {
    }
    List<Holder> holders = new ArrayList<>(connections.size());
    connections.forEach(c -> holders.add(new Holder(c, c.heldBytes())));
    holders.sort(Comparator.comparingLong(Holder::bytes).reversed());
    long target = capBytes / 4 * 3;
    int evicted = 0;
    for (Holder holder : holders) {
      if (total <= target || holder.bytes() == 0) {
        break;
      }
      holder.connection().evict();
      connections.remove(holder.connection());
      total -= holder.bytes();
      evicted++;
    }
    log.warn("Clients held {} bytes, over the process's cap of {}: closed the {} largest holders", held.get(),
        capBytes, evicted);
  }

  /**
   * Asks every client to reconnect, each at a random moment within {@code window}, so that the pods
   * that remain see the reconnects spread out rather than as one storm. Returns at once.
   */
  public void drain(Duration window) {
    long windowNanos = Math.max(1, window.toNanos());
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (ClientConnection connection : connections) {
      long delay = random.nextLong(windowNanos);
      connection.channel().eventLoop().schedule(connection::drain, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** The channels of the connections open now, as a copy. */
  public List<Channel> channels() {
    return connections.stream().map(ClientConnection::channel).toList();
  }

  /** Connections open now (registered and not yet closed). */
  public int size() {
    return connections.size();
  }

  public long heldBytes() {
    return held.get();
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
