package dev.slipstream.bench.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Native Memory Tracking of a child JVM started with {@code -XX:NativeMemoryTracking=summary}
 * (bench option {@code --serverJvm=-XX:NativeMemoryTracking=summary}): {@link #baseline} before
 * the clients connect, {@link #diff} after, written to a file, so that the resident memory a
 * connection adds can be told apart by JVM area (heap, threads, GC, class, other = direct buffers).
 */
public final class NativeMemory {

  private NativeMemory() {
  }

  public static void baseline(ChildJvm jvm) {
    jcmd(jvm, "baseline");
  }

  /** The summary difference since {@link #baseline}, into {@code file}; where the JVM tracks nothing, what jcmd said. */
  public static void diff(ChildJvm jvm, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, jcmd(jvm, "summary.diff"), StandardCharsets.UTF_8);
      Progress.step("native memory: " + file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String jcmd(ChildJvm jvm, String what) {
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(jvm.pid()), "VM.native_memory", what).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      return "jcmd failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
