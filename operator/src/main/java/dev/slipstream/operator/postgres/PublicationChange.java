package dev.slipstream.operator.postgres;

import java.util.List;

/**
 * The outcome of {@link TenantDatabase#apply(DesiredPublication)}.
 *
 * @param statements the statements run, in order; empty when the publication already matched
 * @param state the publication as it is after the change
 */
public record PublicationChange(List<String> statements, PublicationState state) {

  public PublicationChange {
    statements = List.copyOf(statements);
  }

  public boolean changed() {
    return !statements.isEmpty();
  }
}
