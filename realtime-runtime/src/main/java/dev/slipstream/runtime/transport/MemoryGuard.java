package dev.slipstream.runtime.transport;

import io.micrometer.core.instrument.MeterRegistry;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide budget for what clients hold: unsent output and unfinished input over every
 * connection. Each client's own budget bounds one client; this bounds them all together, so that
 * many slow clients at once cannot take the process's direct memory. Every {@code interval} (on
 * its own thread, never an event loop) it adds up {@link ClientConnection#heldBytes()}; over the
 * cap, it closes the largest holders first until the total is back under three quarters of it.
 * {@code slipstream_client_bytes_held} shows the total.
 */
public final class MemoryGuard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MemoryGuard.class);

  private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
  private final long capBytes;
  private final AtomicLong held = new AtomicLong();
  private final ScheduledExecutorService scheduler;

  private MemoryGuard(long capBytes, ScheduledExecutorService scheduler) {
    this.capBytes = capBytes;
    this.scheduler = scheduler;
  }

  /** A guard checking every {@code interval}, with its gauge in {@code registry}. */
  public static MemoryGuard start(long capBytes, Duration interval, MeterRegistry registry) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().name("slipstream-memory-guard").daemon().unstarted(r));
    MemoryGuard guard = new MemoryGuard(capBytes, scheduler);
    registry.gauge("slipstream.client.bytes.held", guard.held);
    scheduler.scheduleWithFixedDelay(guard::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return guard;
  }

  /** A guard that only keeps the registry (tests of single connections). */
  public static MemoryGuard unchecked() {
    return new MemoryGuard(Long.MAX_VALUE, null);
  }

  /** The default cap: half of the direct memory Netty may allocate (the JVM's limit, by default the heap's maximum). */
  public static long defaultCap() {
    return Math.max(16L << 20, PlatformDependent.maxDirectMemory() / 2);
  }

  void register(ClientConnection connection) {
    connections.add(connection);
  }

  void unregister(ClientConnection connection) {
    connections.remove(connection);
  }

  /** One pass: adds up what clients hold and, over the cap, evicts the largest holders. */
  void check() {
    try {
      long total = 0;
      for (ClientConnection connection : connections) {
        total += connection.heldBytes();
      }
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
    } catch (RuntimeException e) {
      log.error("Memory guard check failed", e);
    }
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
