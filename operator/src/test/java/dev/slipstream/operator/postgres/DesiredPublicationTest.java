package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.Operation;
import dev.slipstream.api.v1alpha1.PublishedTable;
import dev.slipstream.api.v1alpha1.RealtimePublicationSpec;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DesiredPublicationTest {

  @Test
  void translatesTheSpec() {
    PublishedTable orders = new PublishedTable("sales", "Orders");
    orders.setColumns(List.of("id", "status"));
    orders.setWhere("status <> 'draft'");
    RealtimePublicationSpec spec = new RealtimePublicationSpec();
    spec.setTables(List.of(orders));
    spec.setTablesInSchemas(List.of("billing"));
    spec.setOperations(List.of(Operation.UPDATE, Operation.INSERT));
    spec.setReplicaIdentityFull(true);

    DesiredPublication desired = DesiredPublication.from(spec, "acme_orders");

    assertThat(desired.name()).isEqualTo("acme_orders");
    assertThat(desired.tables()).containsExactly(
        new PublicationTable(new TableName("sales", "Orders"), List.of("id", "status"), "status <> 'draft'"));
    assertThat(desired.schemas()).containsExactly("billing");
    assertThat(desired.operations()).containsExactly(PublishOperation.INSERT, PublishOperation.UPDATE);
    assertThat(desired.replicaIdentityFull()).isTrue();
  }

  @Test
  void appliesTheCrdDefaultsTheApiServerDidNotFill() {
    PublishedTable orders = new PublishedTable(null, "orders");
    RealtimePublicationSpec spec = new RealtimePublicationSpec();
    spec.setTables(List.of(orders));

    DesiredPublication desired = DesiredPublication.from(spec, "p");

    assertThat(desired.tables()).containsExactly(PublicationTable.of("public", "orders"));
    assertThat(desired.operations()).isEqualTo(EnumSet.allOf(PublishOperation.class));
    assertThat(desired.replicaIdentityFull()).isFalse();
    assertThat(desired.schemas()).isEmpty();
  }

  @Test
  void aBlankFilterIsNoFilter() {
    assertThat(PublicationTable.of("public", "t").withRowFilter("  ").hasRowFilter()).isFalse();
  }

  @Test
  void needsSomethingToPublish() {
    assertThatThrownBy(() -> new DesiredPublication("p", List.of(), List.of(), null, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one table or schema");
  }

  @Test
  void theFingerprintIgnoresOrderButNotContent() {
    PublicationTable a = PublicationTable.of("public", "a").withColumns("x", "y");
    PublicationTable b = PublicationTable.of("public", "b").withRowFilter("id > 1");
    String fingerprint = new DesiredPublication("p", List.of(a, b), List.of("s1", "s2"), null, false).objectsFingerprint();

    assertThat(new DesiredPublication("p", List.of(b, a.withColumns("y", "x")), List.of("s2", "s1"), null, false)
        .objectsFingerprint()).isEqualTo(fingerprint);
    assertThat(new DesiredPublication("p", List.of(a, b.withRowFilter("id > 2")), List.of("s1", "s2"), null, false)
        .objectsFingerprint()).isNotEqualTo(fingerprint);
    assertThat(new DesiredPublication("p", List.of(a.withColumns("x"), b), List.of("s1", "s2"), null, false)
        .objectsFingerprint()).isNotEqualTo(fingerprint);
    assertThat(fingerprint).matches("[0-9a-f]{16}");
  }
}
