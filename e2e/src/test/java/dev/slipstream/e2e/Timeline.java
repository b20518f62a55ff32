package dev.slipstream.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Milestones of an end-to-end run with the time since the class started, printed at the end.
 * Registered before the other extensions, so its clock includes starting the control plane.
 */
final class Timeline implements BeforeAllCallback, AfterAllCallback {

  private record Mark(String what, long nanos) {
  }

  private final List<Mark> marks = new ArrayList<>();
  private long start = System.nanoTime();

  @Override
  public void beforeAll(ExtensionContext context) {
    start = System.nanoTime();
  }

  synchronized void mark(String what) {
    marks.add(new Mark(what, System.nanoTime()));
    System.out.printf("[timeline] %7.1f s  %s%n", seconds(System.nanoTime()), what);
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    StringBuilder text = new StringBuilder("\n[timeline] " + context.getDisplayName() + "\n");
    long previous = start;
    for (Mark mark : marks) {
      text.append(String.format("[timeline] %7.1f s  (+%5.1f s)  %s%n", seconds(mark.nanos()),
          Duration.ofNanos(mark.nanos() - previous).toMillis() / 1000.0, mark.what()));
      previous = mark.nanos();
    }
    System.out.println(text);
  }

  private double seconds(long nanos) {
    return Duration.ofNanos(nanos - start).toMillis() / 1000.0;
  }
}
