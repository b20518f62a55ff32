package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.operator.postgres.ReplicaIdentityRules.TableIdentity;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaIdentityRulesTest {

  private static final TableName ORDERS = new TableName("public", "orders");
  private static final Set<PublishOperation> ALL = EnumSet.allOf(PublishOperation.class);
  private static final String CONSEQUENCE =
      "; PostgreSQL would refuse every UPDATE and DELETE on the table while it is published with updates or deletes";

  private static List<String> problems(TableIdentity table, Set<PublishOperation> operations) {
    return ReplicaIdentityRules.problems(List.of(table), operations);
  }

  @Test
  void aPrimaryKeyWithoutListOrFilterIsFine() {
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.DEFAULT, List.of("id"), null, List.of()), ALL)).isEmpty();
  }

  @Test
  void aTableWithoutPrimaryKeyCannotPublishUpdates() {
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.DEFAULT, List.of(), null, List.of()), ALL))
        .containsExactly("public.orders has no primary key (REPLICA IDENTITY DEFAULT): add a primary key or set "
            + "replicaIdentityFull: true" + CONSEQUENCE);
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.NOTHING, List.of(), null, List.of()),
        EnumSet.of(PublishOperation.DELETE))).singleElement().asString().contains("REPLICA IDENTITY NOTHING");
  }

  @Test
  void insertsAndTruncatesNeedNoIdentity() {
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.NOTHING, List.of(), List.of("a"), List.of("b")),
        EnumSet.of(PublishOperation.INSERT, PublishOperation.TRUNCATE))).isEmpty();
  }

  @Test
  void fullIdentityAllowsAnyFilterButNoColumnList() {
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.FULL, List.of(), null, List.of("status")), ALL)).isEmpty();
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.FULL, List.of(), List.of("id", "status"), List.of()), ALL))
        .containsExactly("public.orders has REPLICA IDENTITY FULL and a column list [id, status], which PostgreSQL "
            + "does not allow together: remove the column list or the FULL identity" + CONSEQUENCE);
  }

  @Test
  void aColumnListMustCoverTheIdentity() {
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.DEFAULT, List.of("id", "region"), List.of("id", "total"),
        List.of()), ALL)).containsExactly("the column list [id, total] of public.orders leaves out replica identity "
            + "columns of [id, region]: add them to the list" + CONSEQUENCE);
  }

  @Test
  void aRowFilterMayUseOnlyIdentityColumns() {
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.DEFAULT, List.of("id"), null, List.of("id", "status")), ALL))
        .containsExactly("the row filter of public.orders uses [status], outside its replica identity [id]: filter on "
            + "identity columns only or set replicaIdentityFull: true" + CONSEQUENCE);
    assertThat(problems(new TableIdentity(ORDERS, ReplicaIdentity.INDEX, List.of("k"), List.of("k", "v"), List.of("k")), ALL))
        .isEmpty();
  }
}
