package dev.slipstream.api.v1alpha1;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sets and reads conditions in a list, Kubernetes-style: one entry per type, and
 * {@code lastTransitionTime} moves only when the status changes, so that "since when is this
 * False" stays true while the reason or message are refined.
 */
public final class Conditions {

  private final Clock clock;

  public Conditions(Clock clock) {
    this.clock = clock;
  }

  /** Conditions stamped with the system clock. */
  public static Conditions withSystemClock() {
    return new Conditions(Clock.systemUTC());
  }

  /**
   * Returns a new list where {@code update} replaces the entry of the same type (or is appended),
   * stamped with {@code observedGeneration}. The input list is not modified.
   */
  public List<Condition> set(List<Condition> current, Condition update, Long observedGeneration) {
    List<Condition> result = new ArrayList<>(current == null ? List.of() : current);
    Optional<Condition> previous = find(result, update.getType());
    Condition next = copyOf(update);
    next.setObservedGeneration(observedGeneration);
    if (previous.isPresent() && previous.get().hasStatus(update.getStatus())
        && previous.get().getLastTransitionTime() != null) {
      next.setLastTransitionTime(previous.get().getLastTransitionTime());
    } else {
      next.setLastTransitionTime(now());
    }
    previous.ifPresentOrElse(p -> result.set(result.indexOf(p), next), () -> result.add(next));
    return result;
  }

  /** The condition of that type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when a condition of that type is present with status True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> c.hasStatus(Condition.TRUE)).orElse(false);
  }

  private String now() {
    // metav1.Time serialises with second precision; keeping the same avoids spurious status diffs.
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static Condition copyOf(Condition c) {
    Condition copy = new Condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage());
    copy.setLastTransitionTime(c.getLastTransitionTime());
    copy.setObservedGeneration(c.getObservedGeneration());
    return copy;
  }
}
