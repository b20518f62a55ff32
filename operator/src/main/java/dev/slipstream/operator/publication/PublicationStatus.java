package dev.slipstream.operator.publication;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.PublishedTableStatus;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimePublicationStatus;
import dev.slipstream.operator.model.PublicationNames;
import dev.slipstream.operator.postgres.PublicationState;
import java.util.List;
import java.util.Objects;

/**
 * The publication status transitions the reconciler makes: Ready with what PostgreSQL publishes, or
 * not Ready with a reason. Each starts from the current status, so what a transition does not
 * re-establish (the table list while the database is unreachable) stays as last seen.
 */
final class PublicationStatus {

  private final Conditions conditions = Conditions.withSystemClock();

  RealtimePublicationStatus ready(RealtimePublication publication, PublicationState state) {
    RealtimePublicationStatus status = baseStatus(publication);
    status.setPublicationName(state.name());
    status.setTables(state.tables().stream()
        .map(t -> new PublishedTableStatus(t.table().schema(), t.table().name(), t.replicaIdentity().statusName()))
        .toList());
    status.setTableCount(state.tables().size());
    status.setConditions(conditions.set(status.getConditions(), Condition.isTrue(ConditionTypes.READY, Reasons.AVAILABLE,
        "publication " + state.name() + " publishes " + state.tables().size() + " table(s)"),
        publication.getMetadata().getGeneration()));
    return status;
  }

  RealtimePublicationStatus notReady(RealtimePublication publication, String reason, String message) {
    RealtimePublicationStatus status = baseStatus(publication);
    if (status.getPublicationName() == null) {
      try {
        status.setPublicationName(PublicationNames.forPublication(publication));
      } catch (RuntimeException e) {
        // The spec is invalid; the condition says so.
      }
    }
    status.setConditions(conditions.set(status.getConditions(), Condition.isFalse(ConditionTypes.READY, reason, message),
        publication.getMetadata().getGeneration()));
    return status;
  }

  /** Whether the two statuses agree on everything the operator writes. */
  static boolean same(RealtimePublicationStatus a, RealtimePublicationStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && Objects.equals(a.getPublicationName(), b.getPublicationName())
        && Objects.equals(a.getTableCount(), b.getTableCount())
        && Objects.equals(a.getConditions(), b.getConditions())
        && Objects.equals(tableKeys(a), tableKeys(b));
  }

  /** The current status, copied, with observedGeneration moved on. */
  private static RealtimePublicationStatus baseStatus(RealtimePublication publication) {
    RealtimePublicationStatus current = publication.getStatus();
    RealtimePublicationStatus status = new RealtimePublicationStatus();
    if (current != null) {
      status.setPublicationName(current.getPublicationName());
      status.setTableCount(current.getTableCount());
      status.setTables(current.getTables() == null ? List.of() : List.copyOf(current.getTables()));
      status.setConditions(current.getConditions() == null ? List.of() : List.copyOf(current.getConditions()));
    }
    status.setObservedGeneration(publication.getMetadata().getGeneration());
    return status;
  }

  private static List<String> tableKeys(RealtimePublicationStatus status) {
    return status.getTables() == null ? List.of() : status.getTables().stream()
        .map(t -> t.getSchema() + "." + t.getName() + ":" + t.getReplicaIdentity()).toList();
  }
}
