package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublicationPlanTest {

  private static final PostgresVersion PG17 = PostgresVersion.of(170005);
  private static final Set<PublishOperation> ALL = EnumSet.allOf(PublishOperation.class);

  private final PublicationTable orders = PublicationTable.of("public", "orders").withColumns("id", "status")
      .withRowFilter("status <> 'draft'");
  /** The same entry as PostgreSQL stores it: its own rendering of the filter. */
  private final PublicationTable ordersAsStored = orders.withRowFilter("(status <> 'draft'::text)");
  private final DesiredPublication desired = new DesiredPublication("acme", List.of(orders), List.of("billing"), ALL, false);

  private PublicationState applied(DesiredPublication wanted, List<PublicationTable> members, List<String> schemas,
      Set<PublishOperation> operations, ReplicaIdentity identity) {
    List<PublishedTableState> tables = members.stream()
        .map(m -> new PublishedTableState(m.table(), m.columns(), m.rowFilter(), identity)).toList();
    return new PublicationState(wanted.name(), operations, false, members, schemas, tables,
        PublicationPlan.marker(wanted, members));
  }

  private PublicationState inStep() {
    return applied(desired, List.of(ordersAsStored), List.of("billing"), ALL, ReplicaIdentity.DEFAULT);
  }

  @Test
  void createsWhatIsMissing() {
    assertThat(PublicationPlan.statements(desired, Optional.empty(), PG17))
        .containsExactly(PublicationSql.create(desired, PG17));
  }

  @Test
  void doesNothingWhenTheCommentVouchesForTheStoredFilters() {
    assertThat(PublicationPlan.statements(desired, Optional.of(inStep()), PG17)).isEmpty();
    assertThat(PublicationPlan.inSync(desired, inStep(), PG17)).isTrue();
  }

  @Test
  void reappliesTablesWhenTheCommentIsMissing() {
    PublicationState state = inStep();
    PublicationState uncommented = new PublicationState(state.name(), state.operations(), false, state.members(),
        state.schemas(), state.tables(), null);

    assertThat(PublicationPlan.statements(desired, Optional.of(uncommented), PG17))
        .containsExactly(PublicationSql.setObjects(desired, PG17));
  }

  @Test
  void reappliesTablesWhenTheSpecsFilterChanged() {
    DesiredPublication changed = new DesiredPublication("acme", List.of(orders.withRowFilter("status = 'paid'")),
        List.of("billing"), ALL, false);

    assertThat(PublicationPlan.statements(changed, Optional.of(inStep()), PG17))
        .containsExactly(PublicationSql.setObjects(changed, PG17));
  }

  @Test
  void reappliesTablesWhenSomeoneChangedTheFilterBehindTheOperatorsBack() {
    PublicationState state = inStep();
    PublicationState drifted = new PublicationState(state.name(), state.operations(), false,
        List.of(orders.withRowFilter("(id > 5)")), state.schemas(), state.tables(), state.comment());

    assertThat(PublicationPlan.statements(desired, Optional.of(drifted), PG17))
        .containsExactly(PublicationSql.setObjects(desired, PG17));
  }

  @Test
  void reappliesTablesWhenColumnsTablesSchemasOrFilterPresenceDiffer() {
    List<PublicationState> drifts = List.of(
        applied(desired, List.of(ordersAsStored.withColumns("id")), List.of("billing"), ALL, ReplicaIdentity.DEFAULT),
        applied(desired, List.of(ordersAsStored, PublicationTable.of("public", "extra")), List.of("billing"), ALL,
            ReplicaIdentity.DEFAULT),
        applied(desired, List.of(ordersAsStored), List.of(), ALL, ReplicaIdentity.DEFAULT),
        applied(desired, List.of(ordersAsStored.withRowFilter(null)), List.of("billing"), ALL, ReplicaIdentity.DEFAULT));

    for (PublicationState drift : drifts) {
      assertThat(PublicationPlan.statements(desired, Optional.of(drift), PG17))
          .containsExactly(PublicationSql.setObjects(desired, PG17));
    }
  }

  @Test
  void columnOrderDoesNotMatter() {
    PublicationState state = applied(desired, List.of(ordersAsStored.withColumns("status", "id")), List.of("billing"),
        ALL, ReplicaIdentity.DEFAULT);

    assertThat(PublicationPlan.statements(desired, Optional.of(state), PG17)).isEmpty();
  }

  @Test
  void changesOnlyThePublishParameterWhenOnlyOperationsDiffer() {
    PublicationState state = applied(desired, List.of(ordersAsStored), List.of("billing"),
        EnumSet.of(PublishOperation.INSERT), ReplicaIdentity.DEFAULT);

    assertThat(PublicationPlan.statements(desired, Optional.of(state), PG17))
        .containsExactly(PublicationSql.setPublish(desired, PG17));
  }

  @Test
  void isOutOfStepWhileAskedForFullIdentityThatIsNotThere() {
    DesiredPublication full = new DesiredPublication("acme", List.of(orders), List.of("billing"), ALL, true);
    PublicationState defaultIdentity = applied(full, List.of(ordersAsStored), List.of("billing"), ALL, ReplicaIdentity.DEFAULT);
    PublicationState fullIdentity = applied(full, List.of(ordersAsStored), List.of("billing"), ALL, ReplicaIdentity.FULL);

    assertThat(PublicationPlan.statements(full, Optional.of(defaultIdentity), PG17)).isEmpty();
    assertThat(PublicationPlan.inSync(full, defaultIdentity, PG17)).isFalse();
    assertThat(PublicationPlan.inSync(full, fullIdentity, PG17)).isTrue();
  }

  @Test
  void refusesToTakeOverAForAllTablesPublication() {
    PublicationState allTables = new PublicationState("acme", ALL, true, List.of(), List.of(), List.of(), null);

    assertThatThrownBy(() -> PublicationPlan.statements(desired, Optional.of(allTables), PG17))
        .isInstanceOfSatisfying(PublicationException.class, e -> {
          assertThat(e.reason()).isEqualTo(PostgresReasons.PUBLICATION_ERROR);
          assertThat(e).hasMessageContaining("FOR ALL TABLES");
        });
  }

  @Test
  void theMarkerSaysWhoManagesThePublication() {
    assertThat(PublicationPlan.marker(desired, List.of(ordersAsStored)))
        .matches("Managed by Slipstream \\(RealtimePublication\\): objects [0-9a-f]{16}, filters [0-9a-f]{16}");
  }
}
