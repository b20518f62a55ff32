package dev.slipstream.operator.publication;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.operator.model.PublicationNames;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which RealtimePublication owns a PostgreSQL publication when several of one tenant claim the same
 * name: the oldest (creationTimestamp, then name, so the answer is the same from every reconcile).
 * The others must neither alter nor drop it; otherwise two resources would keep rewriting each
 * other's table lists, and deleting the younger one would take the older one's publication away.
 */
final class PublicationClaims {

  static final String PUBLICATION_CONFLICT = "PublicationConflict";

  private static final Comparator<RealtimePublication> AGE = Comparator
      .comparing((RealtimePublication p) -> created(p))
      .thenComparing(p -> p.getMetadata().getName());

  private PublicationClaims() {
  }

  /**
   * The older resource that owns {@code name} when it is not {@code publication}; empty when it is.
   * Read from the controller's own informer cache, not listed from the API server: a list per
   * reconcile costs every publication of the namespace each time (quadratic in their number), and
   * the cache holds the older claimant before the younger one's event arrives (one watch, in order).
   */
  static Optional<RealtimePublication> ownerOtherThan(Context<RealtimePublication> context,
      RealtimePublication publication, String name) {
    String tenant = publication.getSpec().getTenantRef().getName();
    List<RealtimePublication> claimants = context.getPrimaryCache().list(publication.getMetadata().getNamespace(),
            p -> p.getSpec() != null && p.getSpec().getTenantRef() != null
                && tenant.equals(p.getSpec().getTenantRef().getName()))
        .filter(p -> name.equals(nameOf(p)))
        .sorted(AGE)
        .toList();
    if (claimants.isEmpty() || claimants.get(0).getMetadata().getName().equals(publication.getMetadata().getName())) {
      return Optional.empty();
    }
    return Optional.of(claimants.get(0));
  }

  static String conflictMessage(RealtimePublication owner, String name) {
    return "PostgreSQL publication " + name + " is already managed by RealtimePublication "
        + owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName()
        + " (created earlier); this resource leaves it alone. Set spec.publicationName to another name or delete one";
  }

  private static String nameOf(RealtimePublication publication) {
    try {
      return PublicationNames.forPublication(publication);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static OffsetDateTime created(RealtimePublication publication) {
    String timestamp = publication.getMetadata().getCreationTimestamp();
    return timestamp == null ? OffsetDateTime.MAX : OffsetDateTime.parse(timestamp);
  }
}
