package dev.slipstream.bench.scenario;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Class histograms of this JVM's heap ({@code jcmd GC.class_histogram}, from inside), written when
 * {@code -Dbench.histograms=<dir>} is set: where the operator's heap per tenant goes, compared between
 * two points of a run ({@code <dir>/<label>.txt}). Off by default; the histogram's own full collection
 * would disturb the timings.
 */
final class HeapHistograms {

  private HeapHistograms() {
  }

  static void write(String label) {
    String dir = System.getProperty("bench.histograms");
    if (dir == null || dir.isBlank()) {
      return;
    }
    try {
      if (Boolean.getBoolean("bench.heapDump")) {
        // The whole heap too, for who holds what (-Dbench.heapDump=true): <dir>/<label>.hprof.
        Files.createDirectories(Path.of(dir));
        Files.deleteIfExists(Path.of(dir, label + ".hprof"));
        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
            .dumpHeap(Path.of(dir, label + ".hprof").toString(), true);
      }
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      Files.createDirectories(Path.of(dir));
      Files.writeString(Path.of(dir, label + ".txt"), String.valueOf(text));
    } catch (JMException | IOException e) {
      throw new IllegalStateException("could not write the class histogram " + label + " to " + dir, e);
    }
  }
}
