package dev.slipstream.runtime.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What a pod's election told it, when (after the call returned), and whether calls ever overlapped. */
final class RecordingListener implements LeadershipListener {

  enum Kind { STARTED, STOPPED, LEADER }

  record Event(Kind kind, String identity, Instant at) {
  }

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger inCall = new AtomicInteger();
  private volatile boolean overlapped;

  @Override
  public void startedLeading() {
    record(Kind.STARTED, null);
  }

  @Override
  public void stoppedLeading() {
    record(Kind.STOPPED, null);
  }

  @Override
  public void leaderChanged(String identity) {
    record(Kind.LEADER, identity);
  }

  private void record(Kind kind, String identity) {
    if (inCall.incrementAndGet() > 1) {
      overlapped = true;
    }
    try {
      events.add(new Event(kind, identity, Instant.now()));
    } finally {
      inCall.decrementAndGet();
    }
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  Optional<Event> last(Kind kind) {
    List<Event> all = events();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).kind() == kind) {
        return Optional.of(all.get(i));
      }
    }
    return Optional.empty();
  }

  long count(Kind kind) {
    return events().stream().filter(e -> e.kind() == kind).count();
  }

  /** Calls never overlapped, and started/stopped alternate, beginning with started. */
  boolean wellOrdered() {
    Kind previous = Kind.STOPPED;
    for (Event event : events()) {
      if (event.kind() == Kind.LEADER) {
        continue;
      }
      if (event.kind() == previous) {
        return false;
      }
      previous = event.kind();
    }
    return !overlapped;
  }
}
