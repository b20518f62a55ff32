package dev.slipstream.runtime.route;

import static dev.slipstream.runtime.change.ChangeFixtures.column;
import static dev.slipstream.runtime.change.ChangeFixtures.key;
import static dev.slipstream.runtime.change.ChangeFixtures.table;
import static dev.slipstream.runtime.change.ChangeFixtures.tuple;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeFixtures;
import dev.slipstream.runtime.change.ChangeType;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.TupleData;
import dev.slipstream.runtime.route.SubscriptionIndex.Subscription;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Claim-based row access: for random rows and random subscribers with random claims, no
 * subscriber is ever handed a row its claim does not allow, and every one that is allowed (and
 * whose own filter admits the row) gets it. The oracle below compares values on its own, without
 * {@link ClaimAccess} or {@link RowFilter}.
 */
class ClaimAccessPropertyTest {

  /** {@code public.orders (id int8, customer_id int8, status text)}, rule customer_id = claim sub. */
  static final TableSchema ORDERS = table(17001, "public", "orders",
      key("id", PgType.INT8), column("customer_id", PgType.INT8), column("status", PgType.TEXT));
  /** {@code public.notes (id int8, owner text, body text)}, rule owner = claim app_metadata.team. */
  static final TableSchema NOTES = table(17002, "public", "notes",
      key("id", PgType.INT8), column("owner", PgType.TEXT), column("body", PgType.TEXT));
  /** {@code public.rooms (id int8, name text)}: no rule, every subscriber sees it. */
  static final TableSchema ROOMS = table(17003, "public", "rooms", key("id", PgType.INT8), column("name", PgType.TEXT));

  static final AccessPolicy POLICY = AccessPolicy.parse("public.orders:customer_id=sub,notes:owner=app_metadata.team");

  record Viewer(String sub, String team, ChangeFilter ownFilter) {
    Map<String, String> claims() {
      Map<String, String> claims = new HashMap<>();
      if (sub != null) {
        claims.put("sub", sub);
      }
      if (team != null) {
        claims.put("app_metadata.team", team);
      }
      return claims;
    }

    ChangeFilter filter() {
      return new ChangeFilter(ownFilter.schema(), ownFilter.table(), ownFilter.events(), ownFilter.rowFilter(),
          POLICY.accessFor(claims()::get));
    }
  }

  @Property(tries = 300)
  void noSubscriberReceivesARowItsClaimDoesNotAllow(@ForAll("viewers") List<Viewer> viewers,
      @ForAll("rows") List<RowChange> rows) {
    SubscriptionIndex<Integer> index = new SubscriptionIndex<>();
    for (int i = 0; i < viewers.size(); i++) {
      index.add(viewers.get(i).filter(), i);
    }
    for (RowChange row : rows) {
      List<Integer> received = index.match(row).stream().map(Subscription::subscriber).sorted().toList();
      List<Integer> allowed = new ArrayList<>();
      for (int i = 0; i < viewers.size(); i++) {
        Viewer viewer = viewers.get(i);
        if (viewer.ownFilter().matches(row) && allowedByOracle(viewer, row)) {
          allowed.add(i);
        }
      }
      assertThat(received).as("subscribers of %s", ChangeFixtures.describe(row)).isEqualTo(allowed);
    }
  }

  @Example
  void aTokenWithoutTheClaimSeesNoRowOfARuledTableButEveryRowOfOthers() {
    Viewer anonymous = new Viewer(null, null, new ChangeFilter("public", "*", ChangeFilter.parseEvent("*"), null));
    SubscriptionIndex<String> index = new SubscriptionIndex<>();
    index.add(anonymous.filter(), "anon");
    assertThat(index.match(ChangeFixtures.insert(ORDERS, tuple("1", "7", "new")))).isEmpty();
    assertThat(index.match(ChangeFixtures.insert(ROOMS, tuple("1", "lobby")))).hasSize(1);
  }

  @Example
  void aDeleteWithOnlyTheKeyIsNotDeliveredUnderARuleOnAnotherColumn() {
    Viewer owner = new Viewer("7", null, new ChangeFilter("public", "orders", ChangeFilter.parseEvent("*"), null));
    SubscriptionIndex<String> index = new SubscriptionIndex<>();
    index.add(owner.filter(), "owner");
    assertThat(index.match(ChangeFixtures.delete(ORDERS, tuple("1", null, null)))).isEmpty();
    assertThat(index.match(ChangeFixtures.delete(ORDERS, tuple("1", "7", "new")))).hasSize(1);
  }

  /** Same value: numbers by numeric value (int8 column, JSON claim text), text exactly. */
  private static boolean allowedByOracle(Viewer viewer, RowChange row) {
    TupleData tuple = row.record() != null ? row.record() : row.oldRecord();
    Map<String, String> values = new HashMap<>(ChangeFixtures.values(row.table(), tuple));
    values.replaceAll((column, value) -> value.equals("<null>") ? null : value);
    return switch (row.table().table()) {
      case "orders" -> viewer.sub() != null && values.get("customer_id") != null
          && isNumber(viewer.sub()) && new BigDecimal(viewer.sub()).compareTo(new BigDecimal(values.get("customer_id"))) == 0;
      case "notes" -> viewer.team() != null && viewer.team().equals(values.get("owner"));
      default -> true;
    };
  }

  private static boolean isNumber(String text) {
    try {
      new BigDecimal(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Provide
  Arbitrary<List<Viewer>> viewers() {
    Arbitrary<String> subs = Arbitraries.of("1", "2", "3", "03", "2.0", "x").injectNull(0.2);
    Arbitrary<String> teams = Arbitraries.of("red", "blue", "Red", "1").injectNull(0.2);
    Arbitrary<String> tables = Arbitraries.of("orders", "notes", "rooms", ChangeFilter.ALL_TABLES);
    Arbitrary<String> events = Arbitraries.of("*", "INSERT", "UPDATE", "DELETE");
    Arbitrary<String> rowFilters = Arbitraries.of("status=eq.new", "status=neq.new", "id=gt.2", "owner=eq.red",
        "customer_id=in.(1,2)", "name=eq.lobby").injectNull(0.5);
    return Combinators.combine(subs, teams, tables, events, rowFilters)
        .as((sub, team, table, event, rowFilter) -> new Viewer(sub, team, new ChangeFilter("public", table,
            ChangeFilter.parseEvent(event), rowFilter == null ? null : RowFilter.parse(rowFilter))))
        .list().ofMinSize(1).ofMaxSize(25);
  }

  @Provide
  Arbitrary<List<RowChange>> rows() {
    Arbitrary<String> ids = Arbitraries.of("1", "2", "3", "4");
    Arbitrary<String> customers = Arbitraries.of("1", "2", "3").injectNull(0.15);
    Arbitrary<String> owners = Arbitraries.of("red", "blue", "1").injectNull(0.15);
    Arbitrary<String> words = Arbitraries.of("new", "paid", "lobby");
    Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 8);
    return Combinators.combine(kinds, ids, customers, owners, words).as((kind, id, customer, owner, word) -> {
      ChangeType type = ChangeType.values()[kind % 3];
      TableSchema table = kind < 3 ? ORDERS : kind < 6 ? NOTES : ROOMS;
      TupleData full = table == ORDERS ? tuple(id, customer, word) : table == NOTES ? tuple(id, owner, word)
          : tuple(id, word);
      // Deletes under the default identity carry only the key, now and then.
      TupleData keyOnly = table == ROOMS ? tuple(id, null) : tuple(id, null, null);
      return switch (type) {
        case INSERT -> ChangeFixtures.insert(table, full);
        case UPDATE -> ChangeFixtures.update(table, full, null);
        default -> ChangeFixtures.delete(table, word.equals("lobby") ? keyOnly : full);
      };
    }).list().ofMinSize(1).ofMaxSize(20);
  }
}
