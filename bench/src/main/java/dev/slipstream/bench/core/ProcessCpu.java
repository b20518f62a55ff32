package dev.slipstream.bench.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used (user + system, all its threads), from {@code /proc/<pid>/stat}:
 * for the runtime JVMs and PostgreSQL's walsenders, which all run on this machine.
 */
public final class ProcessCpu {

  static final double TICKS_PER_SECOND = ticksPerSecond();

  private ProcessCpu() {
  }

  /** Seconds of CPU {@code pid} has used so far; NaN when it cannot be read (gone, or not Linux). */
  public static double seconds(long pid) {
    try {
      return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Seconds of CPU the child JVMs have used so far, together. */
  public static double seconds(java.util.Collection<ChildJvm> jvms) {
    return jvms.stream().mapToDouble(j -> seconds(j.pid())).sum();
  }

  /** CPU seconds per million units of work (rows, deliveries); NaN for none. */
  public static double perMillion(double cpuSeconds, double units) {
    return units <= 0 ? Double.NaN : cpuSeconds / (units / 1e6);
  }

  /** utime + stime of a {@code /proc/<pid>/stat} line, in seconds (the command may hold spaces and parentheses). */
  static double parse(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  private static double ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return p.waitFor() == 0 ? Double.parseDouble(out) : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
