package dev.slipstream.runtime.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resident set of a process, from {@code /proc/<pid>/status} ({@code VmRSS}), once or sampled
 * on a schedule while an attack runs, keeping the peak.
 */
public final class ProcessMemory implements AutoCloseable {

  public static final long MB = 1024 * 1024;

  private final long pid;
  private final ScheduledExecutorService sampler;
  private final AtomicLong peak = new AtomicLong(-1);
  private final AtomicLong last = new AtomicLong(-1);
  private final AtomicLong samples = new AtomicLong();

  private ProcessMemory(long pid, long periodMillis) {
    this.pid = pid;
    this.sampler = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().name("rss-sampler-" + pid).daemon().unstarted(r));
    sampler.scheduleAtFixedRate(this::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Samples the RSS of {@code pid} every {@code periodMillis} until closed. */
  public static ProcessMemory sample(long pid, long periodMillis) {
    return new ProcessMemory(pid, periodMillis);
  }

  /** VmRSS in bytes, or -1 when the process is gone. */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private void sample() {
    long rss = rssBytes(pid);
    if (rss > 0) {
      last.set(rss);
      peak.accumulateAndGet(rss, Math::max);
      samples.incrementAndGet();
    }
  }

  public long peakBytes() {
    return peak.get();
  }

  public long lastBytes() {
    return last.get();
  }

  public long samples() {
    return samples.get();
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }

  public static String mb(long bytes) {
    return bytes < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (double) MB);
  }
}
