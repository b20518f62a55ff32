package dev.slipstream.runtime.pgoutput;

import static dev.slipstream.runtime.pgoutput.ColumnValue.NULL;
import static dev.slipstream.runtime.pgoutput.ColumnValue.UNCHANGED_TOAST;
import static dev.slipstream.runtime.pgoutput.Decoded.assertPlausibleTime;
import static dev.slipstream.runtime.pgoutput.Decoded.text;
import static dev.slipstream.runtime.pgoutput.Decoded.tuple;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.pgoutput.PgOutputMessage.Begin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Commit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Delete;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Insert;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Relation;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Truncate;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Type;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Update;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Row changes and schema messages, decoded from bytes captured from PostgreSQL 17. */
class PgOutputDecoderChangesTest {

  private static final int INT4 = 23;
  private static final int INT8 = 20;
  private static final int TEXT = 25;
  private static final int NUMERIC = 1700;
  /** numeric(10,2): ((precision << 16) | scale) + VARHDRSZ. */
  private static final int NUMERIC_10_2 = ((10 << 16) | 2) + 4;

  private static final List<RelationColumn> ORDERS_COLUMNS = List.of(
      new RelationColumn(1, "id", INT8, -1),
      new RelationColumn(0, "status", TEXT, -1),
      new RelationColumn(0, "total", NUMERIC, NUMERIC_10_2),
      new RelationColumn(0, "note", TEXT, -1));

  @Test
  void insertTransaction() {
    Decoded decoded = Decoded.fixture("insert");
    assertThat(decoded.types()).containsExactly("Begin", "Relation", "Insert", "Insert", "Commit");

    Begin begin = decoded.get(0, Begin.class);
    Relation orders = decoded.get(1, Relation.class);
    assertThat(orders.streamXid()).isEqualTo(PgOutputMessage.NO_XID);
    assertThat(orders.isStreamed()).isFalse();
    assertThat(orders.namespace()).isEqualTo("public");
    assertThat(orders.name()).isEqualTo("orders");
    assertThat(orders.replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
    assertThat(orders.columns()).containsExactlyElementsOf(ORDERS_COLUMNS);
    assertThat(orders.columns().get(0).isKey()).isTrue();

    assertThat(decoded.get(2, Insert.class)).isEqualTo(new Insert(PgOutputMessage.NO_XID,
        orders.relationOid(), tuple(text("1"), text("new"), text("12.50"), NULL)));
    assertThat(decoded.get(3, Insert.class)).isEqualTo(new Insert(PgOutputMessage.NO_XID,
        orders.relationOid(), tuple(text("2"), text(""), NULL, text("Grüße ✓"))));

    Commit commit = decoded.get(4, Commit.class);
    assertThat(commit.flags()).isZero();
    assertThat(commit.commitLsn()).isEqualTo(begin.finalLsn());
    assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
    assertThat(commit.commitTimeMicros()).isEqualTo(begin.commitTimeMicros());
    assertThat(begin.xid()).isPositive();
    assertPlausibleTime(begin.commitTime());
  }

  @Test
  void protocolVersion1HasTheSameLayoutForCommittedTransactions() {
    PgOutputFixture fixture = PgOutputFixture.load("insert-proto1");
    assertThat(fixture.protocolVersion()).isEqualTo(1);
    Decoded decoded = new Decoded(fixture.decodeAll());

    assertThat(decoded.types()).containsExactly("Begin", "Relation", "Insert", "Commit");
    assertThat(decoded.get(2, Insert.class).newTuple())
        .isEqualTo(tuple(text("3"), text("proto1"), text("1.00"), NULL));
  }

  @Test
  void updateSendsTheOldKeyOnlyWhenTheKeyChanges() {
    Decoded decoded = Decoded.fixture("update");
    assertThat(decoded.types())
        .containsExactly("Begin", "Relation", "Update", "Commit", "Begin", "Update", "Commit");
    int orders = decoded.get(1, Relation.class).relationOid();

    Update statusChange = decoded.get(2, Update.class);
    assertThat(statusChange.hasOldTuple()).isFalse();
    assertThat(statusChange).isEqualTo(new Update(PgOutputMessage.NO_XID, orders, null,
        tuple(text("1"), text("paid"), text("12.50"), NULL)));

    // The key changed: 'K' with the old key, every other column 'n'.
    Update keyChange = decoded.get(5, Update.class);
    assertThat(keyChange.oldTuple()).isEqualTo(
        new OldTuple(OldTuple.Kind.KEY, tuple(text("2"), NULL, NULL, NULL)));
    assertThat(keyChange.newTuple()).isEqualTo(tuple(text("20"), text(""), NULL, text("Grüße ✓")));
  }

  @Test
  void replicaIdentityFullSendsTheWholeOldRowAndMarksEveryColumnAsKey() {
    Decoded decoded = Decoded.fixture("update-identity-full");
    Relation audit = decoded.get(1, Relation.class);
    assertThat(audit.replicaIdentity()).isEqualTo(ReplicaIdentity.FULL);
    assertThat(audit.columns()).extracting(RelationColumn::name, RelationColumn::isKey)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("id", true),
            org.assertj.core.groups.Tuple.tuple("order_id", true),
            org.assertj.core.groups.Tuple.tuple("event", true));

    Update update = decoded.get(2, Update.class);
    assertThat(update.oldTuple()).isEqualTo(
        new OldTuple(OldTuple.Kind.FULL, tuple(text("1"), text("1"), text("created"))));
    assertThat(update.newTuple()).isEqualTo(tuple(text("1"), text("1"), text("paid")));
  }

  @Test
  void deleteSendsTheKeyOrTheWholeRow() {
    Decoded decoded = Decoded.fixture("delete");
    List<Delete> deletes = decoded.all(Delete.class);
    List<Relation> relations = decoded.all(Relation.class);

    assertThat(deletes.get(0)).isEqualTo(new Delete(PgOutputMessage.NO_XID,
        relations.get(0).relationOid(),
        new OldTuple(OldTuple.Kind.KEY, tuple(text("20"), NULL, NULL, NULL))));
    assertThat(deletes.get(1)).isEqualTo(new Delete(PgOutputMessage.NO_XID,
        relations.get(1).relationOid(),
        new OldTuple(OldTuple.Kind.FULL, tuple(text("1"), text("1"), text("paid")))));
  }

  @Test
  void truncateListsEveryTableAndItsOptions() {
    Decoded decoded = Decoded.fixture("truncate");
    assertThat(decoded.types()).containsExactly("Begin", "Relation", "Relation", "Truncate",
        "Commit", "Begin", "Relation", "Truncate", "Commit");
    int orders = decoded.get(1, Relation.class).relationOid();
    int audit = decoded.get(2, Relation.class).relationOid();

    Truncate both = decoded.get(3, Truncate.class);
    assertThat(both.relationOids()).containsExactly(orders, audit);
    assertThat(both.options()).isEqualTo(Truncate.CASCADE | Truncate.RESTART_IDENTITY);
    assertThat(both.cascade()).isTrue();
    assertThat(both.restartIdentity()).isTrue();

    Truncate plain = decoded.get(7, Truncate.class);
    assertThat(plain).isEqualTo(new Truncate(PgOutputMessage.NO_XID, 0, List.of(orders)));
  }

  @Test
  void alterTableSendsANewRelationBeforeTheNextChange() {
    Decoded decoded = Decoded.fixture("alter-table");
    assertThat(decoded.types()).containsExactly("Begin", "Relation", "Insert", "Commit",
        "Begin", "Relation", "Insert", "Commit");
    Relation before = decoded.get(1, Relation.class);
    Relation after = decoded.get(5, Relation.class);

    assertThat(after.relationOid()).isEqualTo(before.relationOid());
    assertThat(before.columns()).containsExactlyElementsOf(ORDERS_COLUMNS);
    assertThat(after.columns()).hasSize(5)
        .last().isEqualTo(new RelationColumn(0, "priority", INT4, -1));
    assertThat(decoded.get(6, Insert.class).newTuple())
        .isEqualTo(tuple(text("5"), text("after"), text("3.00"), NULL, text("7")));
  }

  @Test
  void enumColumnBringsATypeMessageBeforeItsRelation() {
    Decoded decoded = Decoded.fixture("custom-type");
    assertThat(decoded.types()).containsExactly("Begin", "Type", "Relation", "Insert", "Commit");
    Type mood = decoded.get(1, Type.class);
    assertThat(mood.namespace()).isEqualTo("public");
    assertThat(mood.name()).isEqualTo("mood");
    assertThat(mood.streamXid()).isEqualTo(PgOutputMessage.NO_XID);

    Relation moods = decoded.get(2, Relation.class);
    assertThat(moods.columns()).containsExactly(new RelationColumn(1, "id", INT4, -1),
        new RelationColumn(0, "feeling", mood.typeOid(), -1));
    assertThat(decoded.get(3, Insert.class).newTuple()).isEqualTo(tuple(text("1"), text("happy")));
  }

  @Test
  void unchangedToastedValueIsMarkedNotNull() {
    Decoded decoded = Decoded.fixture("unchanged-toast");
    List<Update> updates = decoded.all(Update.class);

    Update defaultIdentity = updates.get(0);
    assertThat(defaultIdentity.hasOldTuple()).isFalse();
    assertThat(defaultIdentity.newTuple()).isEqualTo(tuple(text("1"), text("v2"), UNCHANGED_TOAST));
    assertThat(defaultIdentity.newTuple().get(2)).isNotEqualTo(NULL)
        .isInstanceOf(ColumnValue.UnchangedToast.class);
    assertThat(defaultIdentity.newTuple().get(2).kind()).isEqualTo('u');

    // With FULL identity the old row carries the whole body, yet the new row still says 'u'.
    Update fullIdentity = updates.get(1);
    TupleData old = fullIdentity.oldTuple().tuple();
    assertThat(fullIdentity.oldTuple().kind()).isEqualTo(OldTuple.Kind.FULL);
    assertThat(old.get(1)).isEqualTo(text("v1"));
    assertThat(((ColumnValue.Text) old.get(2)).asString()).hasSize(2560).matches("[0-9a-f]+");
    assertThat(fullIdentity.newTuple()).isEqualTo(tuple(text("1"), text("v2"), UNCHANGED_TOAST));
  }

  @Test
  void binaryOptionSendsTheTypesSendFormat() {
    Decoded decoded = Decoded.fixture("binary");
    HexFormat hex = HexFormat.of();

    assertThat(decoded.get(2, Insert.class).newTuple().columns()).containsExactly(
        new ColumnValue.Binary(hex.parseHex("0000000000000006")), // int8 6
        new ColumnValue.Binary("binary".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        // numeric 3.25: ndigits 2, weight 0, sign +, dscale 2, base-10000 digits 3 and 2500
        new ColumnValue.Binary(hex.parseHex("0002" + "0000" + "0000" + "0002" + "0003" + "09c4")),
        NULL,
        new ColumnValue.Binary(hex.parseHex("00000001"))); // int4 1
  }
}
