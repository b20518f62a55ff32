package dev.slipstream.bench.host;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.bench.core.ChildProtocol;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server JVM's memory from its own counters, after full collections: heap in use, direct memory
 * (the JDK's direct buffer pool plus Netty's own counter when Netty allocates without cleaners),
 * the pooled allocator's view, and the process's resident set.
 */
public final class MemoryProbe {

  private MemoryProbe() {
  }

  public static ObjectNode measure() {
    long before = heapUsed();
    // Several collections: one lets finalisation/cleaners run, the next reclaims what they freed.
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = heapUsed();
    long rss = settledRss();
    long jdkDirect = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        jdkDirect = pool.getMemoryUsed();
      }
    }
    long nettyDirect = Math.max(0, PlatformDependent.usedDirectMemory());
    var pooled = PooledByteBufAllocator.DEFAULT.metric();
    io.netty.buffer.ByteBufAllocator allocator = io.netty.buffer.ByteBufAllocator.DEFAULT;
    long defaultDirect = allocator instanceof io.netty.buffer.ByteBufAllocatorMetricProvider p
        ? p.metric().usedDirectMemory() : -1;
    return ChildProtocol.object()
        .put("default_allocator", allocator.getClass().getSimpleName())
        .put("default_allocator_direct", defaultDirect)
        .put("heap_before_gc", before)
        .put("heap", heap)
        .put("direct", jdkDirect + nettyDirect)
        .put("jdk_direct", jdkDirect)
        .put("netty_direct_counter", PlatformDependent.usedDirectMemory())
        .put("pooled_direct", pooled.usedDirectMemory())
        .put("pooled_heap", pooled.usedHeapMemory())
        .put("rss", rss)
        .put("rss_anon", status("RssAnon:"))
        .put("rss_file", status("RssFile:"));
  }

  /** The live heap's class histogram (what {@code jcmd <pid> GC.class_histogram} prints), top rows. */
  public static ObjectNode histogram() {
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      String[] lines = text.toString().split("\n");
      return ChildProtocol.object().put("histogram",
          String.join("\n", java.util.Arrays.copyOfRange(lines, 0, Math.min(lines.length, 40))));
    } catch (javax.management.JMException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * VmRSS once it stops falling. A collection that shrinks the heap hands the freed regions to a
   * background task that uncommits them a chunk at a time (G1 since JDK 17), so RSS read right after
   * {@code System.gc()} still counts pages the JVM is about to give back. Read every 200 ms until two
   * readings are within 256 KiB, at most 5 s: what the process holds, not what it holds meanwhile.
   */
  private static long settledRss() {
    long deadline = System.nanoTime() + 5_000_000_000L;
    long last = rss();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = rss();
      if (Math.abs(last - now) < 256 * 1024) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /** VmRSS of /proc/self/status in bytes, or -1 off Linux. */
  static long rss() {
    return status("VmRSS:");
  }

  /**
   * A field of /proc/self/status in bytes, or -1 off Linux: VmRSS, and its parts RssAnon (heap,
   * thread stacks, malloc, direct buffers) and RssFile (the mapped JDK code and class archive).
   */
  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
