package dev.slipstream.bench.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code bin/bench jfr <recording.jfr> [top]}: where the samples of a flight recording fall —
 * by thread, by the method on top of the stack (self time), and by method anywhere in the stack
 * (inclusive), the last restricted to Slipstream's and Netty's own methods. What
 * {@code jfr print --events jdk.ExecutionSample} shows, counted.
 */
public final class JfrSummary {

  private JfrSummary() {
  }

  public static void print(Path recording, int top) throws IOException {
    List<RecordedEvent> samples = RecordingFile.readAllEvents(recording).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.ExecutionSample") && e.getStackTrace() != null)
        .toList();
    System.out.println(samples.size() + " execution samples in " + recording);
    System.out.println("\nby thread:");
    show(count(samples, e -> List.of(threadGroup(e.getThread("sampledThread").getJavaName()))), samples.size(), top);
    System.out.println("\nself (top frame):");
    show(count(samples, e -> List.of(name(e.getStackTrace().getFrames().getFirst()))), samples.size(), top);
    System.out.println("\ninclusive (Slipstream's methods anywhere in the stack):");
    show(count(samples, e -> {
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : e.getStackTrace().getFrames()) {
        String n = name(f);
        if (n.startsWith("dev.slipstream") && !n.contains("$$Lambda")) {
          seen.add(n);
        }
      }
      return List.copyOf(seen);
    }), samples.size(), top);
  }

  private static String threadGroup(String thread) {
    return thread == null ? "?" : thread.replaceAll("-\\d+$", "-N");
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static Map<String, Long> count(List<RecordedEvent> samples, Function<RecordedEvent, List<String>> keys) {
    return samples.stream().flatMap(e -> keys.apply(e).stream())
        .collect(Collectors.groupingBy(k -> k, Collectors.counting()));
  }

  private static void show(Map<String, Long> counts, int total, int top) {
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new))
        .forEach((k, v) -> System.out.printf("  %5.1f%%  %s%n", 100.0 * v / total, k));
  }
}
