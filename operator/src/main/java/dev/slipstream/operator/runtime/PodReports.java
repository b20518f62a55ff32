package dev.slipstream.operator.runtime;

import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runtime pods' own entries of {@code status.runtime.pods[]} add up to, judged against the
 * tenant's pods as they are: which entries count (their pod lives and they reported within the
 * report timeout), which are to go, the clients and the leader they report, and whether every ready
 * pod reported. Pure: the pods and the clock come in.
 */
final class PodReports {

  /** The state of one pod of the tenant's runtime, as the Pod object tells it. */
  record PodState(boolean ready) {
  }

  /** Why an entry is to go. */
  enum Gone {
    /** No Pod of that name belongs to the tenant's runtime any more (or it has terminated). */
    POD_GONE,
    /** The pod has not written its entry for longer than the report timeout. */
    SILENT
  }

  /**
   * An entry to remove, where it stands in the list as read, and what it held: the removal checks
   * both, so that an entry rewritten in the meantime is not removed.
   */
  record Removal(int index, String name, String reportedAt, Gone why) {

    String describe(Duration timeout) {
      return why == Gone.POD_GONE ? "pod " + name + " no longer exists"
          : "pod " + name + " has not reported since " + reportedAt + " (more than " + timeout.toSeconds() + "s ago)";
    }
  }

  private final List<RuntimePodStatus> live;
  private final List<Removal> removals;
  private final List<String> unreported;
  private final Instant nextExpiry;

  private PodReports(List<RuntimePodStatus> live, List<Removal> removals, List<String> unreported, Instant nextExpiry) {
    this.live = live;
    this.removals = removals;
    this.unreported = unreported;
    this.nextExpiry = nextExpiry;
  }

  /**
   * @param entries {@code status.runtime.pods} as read (order matters: removals name indexes)
   * @param pods the tenant's runtime pods that exist and have not terminated, by name
   * @param now the operator's clock
   * @param timeout how old a {@code reportedAt} may be
   */
  static PodReports of(List<RuntimePodStatus> entries, Map<String, PodState> pods, Instant now, Duration timeout) {
    List<RuntimePodStatus> live = new ArrayList<>();
    List<Removal> removals = new ArrayList<>();
    Instant nextExpiry = null;
    List<String> reported = new ArrayList<>();
    List<RuntimePodStatus> list = entries == null ? List.of() : entries;
    for (int i = 0; i < list.size(); i++) {
      RuntimePodStatus entry = list.get(i);
      if (entry == null || entry.getName() == null) {
        continue;
      }
      Instant reportedAt = instant(entry.getReportedAt());
      if (!pods.containsKey(entry.getName())) {
        removals.add(new Removal(i, entry.getName(), entry.getReportedAt(), Gone.POD_GONE));
      } else if (reportedAt != null && reportedAt.plus(timeout).isBefore(now)) {
        removals.add(new Removal(i, entry.getName(), entry.getReportedAt(), Gone.SILENT));
      } else {
        // An entry without a readable reportedAt cannot be judged by age: it counts while its pod lives.
        live.add(entry);
        reported.add(entry.getName());
        if (reportedAt != null) {
          Instant expiry = reportedAt.plus(timeout);
          nextExpiry = nextExpiry == null || expiry.isBefore(nextExpiry) ? expiry : nextExpiry;
        }
      }
    }
    List<String> unreported = pods.entrySet().stream()
        .filter(p -> p.getValue().ready() && !reported.contains(p.getKey()))
        .map(Map.Entry::getKey).sorted().toList();
    return new PodReports(List.copyOf(live), List.copyOf(removals), unreported, nextExpiry);
  }

  /** The entries that count. */
  List<RuntimePodStatus> live() {
    return live;
  }

  /** The entries to remove, in the order they stand. */
  List<Removal> removals() {
    return removals;
  }

  /** The sum of the live entries' clients. */
  long connectedClients() {
    return live.stream().map(RuntimePodStatus::getClients).filter(Objects::nonNull).mapToLong(Long::longValue).sum();
  }

  /** The live entries saying role Leader, the most recently reported first. */
  List<RuntimePodStatus> leaderClaims() {
    return live.stream().filter(e -> RuntimeRoles.LEADER.equals(e.getRole()))
        .sorted(Comparator.comparing((RuntimePodStatus e) -> instant(e.getReportedAt()),
            Comparator.nullsFirst(Comparator.<Instant>naturalOrder())).reversed()
            .thenComparing(RuntimePodStatus::getName))
        .toList();
  }

  /** The leader: the one claim, or the most recent of several. */
  Optional<String> leader() {
    return leaderClaims().stream().findFirst().map(RuntimePodStatus::getName);
  }

  /**
   * Ready pods without a live entry. While there is one, the clients summed are a lower bound only:
   * enough to scale up on, not to scale down on.
   */
  List<String> unreported() {
    return unreported;
  }

  /** When the next live entry outlives the timeout unless its pod reports again; null when none can. */
  Instant nextExpiry() {
    return nextExpiry;
  }

  static Instant instant(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(rfc3339).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
