package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Records every call a sink gets, as text, from any thread. */
final class RecordingSink implements ChangeSink {

  private final List<String> calls = new ArrayList<>();
  private final List<ChangeEvent> events = new ArrayList<>();

  static String describe(ChangeEvent event) {
    return "event " + event.position();
  }

  static String commit(long endLsn) {
    return "commit " + Long.toHexString(endLsn);
  }

  static String start(long startLsn) {
    return "start " + Long.toHexString(startLsn);
  }

  @Override
  public synchronized void accept(ChangeEvent event) {
    calls.add(describe(event));
    events.add(event);
  }

  @Override
  public synchronized void committed(long endLsn) {
    calls.add(commit(endLsn));
  }

  @Override
  public synchronized void streamStartsAt(long confirmedLsn, long serverWalEnd) {
    calls.add(start(confirmedLsn));
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  /** Events and commits, without the stream starts. */
  synchronized List<String> stream() {
    return calls.stream().filter(call -> !call.startsWith("start ")).toList();
  }

  synchronized List<String> starts() {
    return calls.stream().filter(call -> call.startsWith("start ")).toList();
  }

  synchronized List<ChangeEvent> events() {
    return List.copyOf(events);
  }

  synchronized int size() {
    return calls.size();
  }

  static List<String> concat(List<String> first, List<String> second) {
    return Stream.concat(first.stream(), second.stream()).toList();
  }
}
