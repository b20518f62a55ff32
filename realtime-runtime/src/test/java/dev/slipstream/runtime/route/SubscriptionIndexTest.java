package dev.slipstream.runtime.route;

import static dev.slipstream.runtime.change.ChangeFixtures.INVOICES;
import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.ROOMS;
import static dev.slipstream.runtime.change.ChangeFixtures.databaseMessage;
import static dev.slipstream.runtime.change.ChangeFixtures.delete;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static dev.slipstream.runtime.change.ChangeFixtures.position;
import static dev.slipstream.runtime.change.ChangeFixtures.table;
import static dev.slipstream.runtime.change.ChangeFixtures.truncate;
import static dev.slipstream.runtime.change.ChangeFixtures.tuple;
import static dev.slipstream.runtime.change.ChangeFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeFixtures;
import dev.slipstream.runtime.change.ChangeType;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.route.SubscriptionIndex.Subscription;
import dev.slipstream.runtime.pgoutput.TupleData;
import dev.slipstream.runtime.route.RowFilter.Operator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Examples of routing, then a property: for random subscriptions and random events the index
 * returns exactly the subscriptions whose {@link ChangeFilter#matches} admits the event.
 */
class SubscriptionIndexTest {

  /** {@code public.codes (id int8, code text)}: a text column holding number-like values. */
  private static final TableSchema CODES = table(16700, "public", "codes",
      ChangeFixtures.key("id", PgType.INT8), ChangeFixtures.column("code", PgType.TEXT));

  private final SubscriptionIndex<String> index = new SubscriptionIndex<>();

  private static ChangeFilter filter(String schema, String table, String event, String rowFilter) {
    return new ChangeFilter(schema, table, ChangeFilter.parseEvent(event),
        rowFilter == null ? null : RowFilter.parse(rowFilter));
  }

  private List<String> subscribers(ChangeEvent event) {
    return index.match(event).stream().map(Subscription::subscriber).toList();
  }

  @Test
  void tableAndWildcardBucketsBothMatch() {
    index.add(filter("public", "messages", "*", null), "messages");
    index.add(filter("public", "*", "*", null), "public-all");
    index.add(filter("public", "rooms", "*", null), "rooms");
    index.add(filter("billing", "*", "*", null), "billing-all");

    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "0", "f"))))
        .containsExactlyInAnyOrder("messages", "public-all");
    assertThat(subscribers(insert(ROOMS, tuple("1", "Lobby")))).containsExactlyInAnyOrder("rooms", "public-all");
    assertThat(subscribers(insert(INVOICES, tuple("1", "lobby", "9.99")))).containsExactly("billing-all");
  }

  @Test
  void aTableOfTheSameNameInAnotherSchemaDoesNotMatch() {
    index.add(filter("public", "messages", "*", null), "public.messages");
    TableSchema archived = table(16800, "archive", "messages", ChangeFixtures.key("id", PgType.INT8));

    assertThat(subscribers(insert(archived, tuple("1")))).isEmpty();
  }

  @Test
  void eventTypesAreRespected() {
    index.add(filter("public", "messages", "INSERT", null), "inserts");
    index.add(filter("public", "messages", "DELETE", null), "deletes");
    index.add(filter("public", "*", "UPDATE", "room=eq.lobby"), "lobby-updates");

    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "0", "f")))).containsExactly("inserts");
    assertThat(subscribers(update(MESSAGES, message("1", "lobby", "edited", "0", "f"), null)))
        .containsExactly("lobby-updates");
    assertThat(subscribers(delete(MESSAGES, tuple("1", null, null, null, null)))).containsExactly("deletes");
  }

  @Test
  void equalityFiltersSelectByValue() {
    index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby");
    index.add(filter("public", "messages", "*", "room=eq.kitchen"), "kitchen");
    index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby-2");

    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "0", "f"))))
        .containsExactlyInAnyOrder("lobby", "lobby-2");
    assertThat(subscribers(insert(MESSAGES, message("2", "garden", "hi", "0", "f")))).isEmpty();
  }

  @Test
  void equalityCandidatesOnANumericColumnMatchByValue() {
    index.add(filter("public", "messages", "*", "score=eq.1.0"), "score-1.0");
    index.add(filter("public", "messages", "*", "score=eq.1"), "score-1");
    index.add(filter("public", "messages", "*", "id=eq.0010"), "id-10");

    assertThat(subscribers(insert(MESSAGES, message("10", "lobby", "hi", "1", "f"))))
        .containsExactlyInAnyOrder("score-1.0", "score-1", "id-10");
    assertThat(subscribers(insert(MESSAGES, message("11", "lobby", "hi", "1.000", "f"))))
        .containsExactlyInAnyOrder("score-1.0", "score-1");
  }

  @Test
  void equalityCandidatesOnATextColumnAreRecheckedExactly() {
    // '1.0' and '1' share an index slot; on a text column only the exact spelling matches.
    index.add(filter("public", "codes", "*", "code=eq.1.0"), "code-1.0");
    index.add(filter("public", "codes", "*", "code=eq.1"), "code-1");
    index.add(filter("public", "codes", "*", "code=eq.t"), "code-t");

    assertThat(subscribers(insert(CODES, tuple("1", "1")))).containsExactly("code-1");
    assertThat(subscribers(insert(CODES, tuple("2", "1.0")))).containsExactly("code-1.0");
    assertThat(subscribers(insert(CODES, tuple("3", "true")))).isEmpty();
    assertThat(subscribers(insert(CODES, tuple("4", "t")))).containsExactly("code-t");
  }

  @Test
  void equalityOnABooleanColumnAcceptsEitherSpelling() {
    index.add(filter("public", "messages", "*", "pinned=eq.true"), "pinned");

    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "0", "t")))).containsExactly("pinned");
    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "0", "f")))).isEmpty();
  }

  @Test
  void equalityOnTheWildcardBucketOnlyAppliesToTablesWithTheColumn() {
    index.add(filter("public", "*", "*", "room=eq.lobby"), "room-lobby");

    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "0", "f")))).containsExactly("room-lobby");
    assertThat(subscribers(insert(ROOMS, tuple("1", "lobby")))).isEmpty();
  }

  @Test
  void equalityOnADeleteUsesTheOldRow() {
    index.add(filter("public", "messages", "DELETE", "id=eq.7"), "id-7");
    index.add(filter("public", "messages", "DELETE", "room=eq.lobby"), "lobby");

    assertThat(subscribers(delete(MESSAGES, tuple("7", null, null, null, null)))).containsExactly("id-7");
    assertThat(subscribers(delete(MESSAGES, message("7", "lobby", "bye", "0", "f"))))
        .containsExactlyInAnyOrder("id-7", "lobby");
  }

  @Test
  void unknownValuesMatchNoEqualityFilter() {
    index.add(filter("public", "messages", "*", "body=eq.hi"), "body-hi");
    index.add(filter("public", "messages", "*", "body=neq.hi"), "body-not-hi");

    assertThat(subscribers(update(MESSAGES, tuple("1", "lobby", ColumnValue.UNCHANGED_TOAST, "0", "f"),
        message("1", "lobby", "hi", "0", "f")))).isEmpty();
    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", null, "0", "f")))).isEmpty();
  }

  @Test
  void residualFiltersAreTestedOneByOne() {
    index.add(filter("public", "messages", "*", "score=gt.5"), "high");
    index.add(filter("public", "messages", "*", "score=lte.5"), "low");
    index.add(filter("public", "messages", "*", "room=in.(lobby,kitchen)"), "rooms");
    index.add(filter("public", "messages", "*", "room=neq.lobby"), "not-lobby");

    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "10", "f"))))
        .containsExactlyInAnyOrder("high", "rooms");
    assertThat(subscribers(insert(MESSAGES, message("2", "garden", "hi", "5.0", "f"))))
        .containsExactlyInAnyOrder("low", "not-lobby");
  }

  @Test
  void eachMatchingSubscriptionIsReturnedOnceEvenForOneSubscriber() {
    Subscription<String> all = index.add(filter("public", "messages", "*", null), "socket-1");
    Subscription<String> lobby = index.add(filter("public", "messages", "INSERT", "room=eq.lobby"), "socket-1");

    assertThat(index.match(insert(MESSAGES, message("1", "lobby", "hi", "0", "f")))).containsExactlyInAnyOrder(all, lobby);
  }

  @Test
  void removeStopsMatchingAndShrinksTheIndex() {
    Subscription<String> lobby = index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby");
    Subscription<String> all = index.add(filter("public", "*", "*", null), "all");
    Subscription<String> high = index.add(filter("public", "messages", "*", "score=gt.5"), "high");
    Subscription<String> lobbyAgain = index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby");
    ChangeEvent row = insert(MESSAGES, message("1", "lobby", "hi", "10", "f"));
    assertThat(index.size()).isEqualTo(4);

    index.remove(lobby);
    assertThat(index.size()).isEqualTo(3);
    assertThat(index.match(row)).containsExactlyInAnyOrder(all, high, lobbyAgain);

    index.remove(all);
    index.remove(high);
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.match(row)).containsExactly(lobbyAgain);

    index.remove(lobbyAgain);
    assertThat(index.size()).isZero();
    assertThat(index.match(row)).isEmpty();
  }

  @Test
  void removingTwiceCountsOnce() {
    Subscription<String> lobby = index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby");
    Subscription<String> all = index.add(filter("public", "messages", "*", null), "all");
    index.add(filter("public", "messages", "*", null), "other");

    index.remove(lobby);
    index.remove(lobby);
    index.remove(all);
    index.remove(all);

    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void removingFromAnotherIndexChangesNothing() {
    SubscriptionIndex<String> other = new SubscriptionIndex<>();
    Subscription<String> foreign = other.add(filter("public", "rooms", "*", null), "foreign");
    Subscription<String> mine = index.add(filter("public", "rooms", "*", null), "mine");

    index.remove(foreign);

    assertThat(index.size()).isEqualTo(1);
    assertThat(index.match(insert(ROOMS, tuple("1", "Lobby")))).containsExactly(mine);
  }

  @Test
  void sameFilterTwiceIsTwoSubscriptions() {
    ChangeFilter lobby = filter("public", "messages", "*", "room=eq.lobby");
    Subscription<String> first = index.add(lobby, "a");
    Subscription<String> second = index.add(lobby, "a");

    assertThat(index.size()).isEqualTo(2);
    index.remove(first);
    assertThat(index.match(insert(MESSAGES, message("1", "lobby", "hi", "0", "f")))).containsExactly(second);
  }

  @Test
  void truncateMatchesOnlyUnfilteredSubscriptionsThatWantIt() {
    index.add(filter("public", "messages", "*", null), "messages-all");
    index.add(filter("public", "messages", "TRUNCATE", null), "messages-truncate");
    index.add(filter("public", "*", "*", null), "public-all");
    index.add(filter("public", "messages", "INSERT", null), "messages-inserts");
    index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby");
    index.add(filter("public", "messages", "*", "score=gt.5"), "high");
    index.add(filter("public", "rooms", "*", null), "rooms");

    assertThat(subscribers(truncate(position(0x1000, 0), MESSAGES)))
        .containsExactlyInAnyOrder("messages-all", "messages-truncate", "public-all");
  }

  @Test
  void truncateOfSeveralTablesReachesTheSubscribersOfEach() {
    index.add(filter("public", "messages", "*", null), "messages");
    index.add(filter("public", "rooms", "*", null), "rooms");
    index.add(filter("billing", "invoices", "*", null), "invoices");

    assertThat(subscribers(truncate(position(0x1000, 0), MESSAGES, ROOMS)))
        .containsExactlyInAnyOrder("messages", "rooms");
  }

  /**
   * BUG (see report): {@code match} scans the {@code schema.*} bucket once per truncated table,
   * so a wildcard subscription comes back once for each table of the schema in the statement.
   */
  @Test
  void truncateOfSeveralTablesReturnsAWildcardSubscriptionOnce() {
    Subscription<String> all = index.add(filter("public", "*", "*", null), "public-all");

    assertThat(index.match(truncate(position(0x1000, 0), MESSAGES, ROOMS))).containsExactly(all);
  }

  @Test
  void databaseMessagesMatchNothing() {
    index.add(filter("public", "*", "*", null), "public-all");
    index.add(new ChangeFilter("public", "*", EnumSet.allOf(ChangeType.class), null), "everything");

    assertThat(index.match(databaseMessage(position(0x1000, 0), "realtime", "{\"event\":\"ping\"}"))).isEmpty();
  }

  @Test
  void eventsOfASubscriptionWithNoEventTypesMatchNothing() {
    index.add(new ChangeFilter("public", "messages", Set.of(), null), "none");

    assertThat(index.match(insert(MESSAGES, message("1", "lobby", "hi", "0", "f")))).isEmpty();
  }

  /**
   * BUG (see report): {@code RowFilter.matches} reads {@code +1} as the number 1 on a numeric
   * column, but the equality index files it under {@code "+1"}, so the index never offers it as a
   * candidate for a row whose id is 1.
   */
  @Test
  void equalityWithAnExplicitPlusSignAgreesWithTheFilter() {
    ChangeFilter plusOne = filter("public", "messages", "*", "id=eq.+1");
    index.add(plusOne, "plus-one");
    ChangeEvent row = insert(MESSAGES, message("1", "lobby", "hi", "0", "f"));

    assertThat(plusOne.matches(row)).isTrue();
    assertThat(subscribers(row)).containsExactly("plus-one");
  }

  // ---- Property: the index agrees with brute force ----------------------------------------------

  /** {@code billing.messages}: the same table name as {@code public.messages}, in another schema. */
  private static final TableSchema BILLING_MESSAGES = table(16900, "billing", "messages",
      ChangeFixtures.key("id", PgType.INT8), ChangeFixtures.column("room", PgType.TEXT),
      ChangeFixtures.column("score", PgType.NUMERIC));

  private static final List<TableSchema> PROPERTY_TABLES = List.of(MESSAGES, ROOMS, INVOICES, BILLING_MESSAGES, CODES);

  /**
   * Few values, many spellings of each: numbers the index's normal form folds together ({@code 1},
   * {@code 1.0}, {@code 01}, {@code 1e0}; {@code -0}, {@code 0.00}), booleans in both spellings,
   * text that differs only in case, the empty string and the float specials. Not included: a
   * leading {@code +} (a known disagreement, see {@link #equalityWithAnExplicitPlusSignAgreesWithTheFilter}).
   */
  private static final List<String> VALUES = List.of("1", "1.0", "01", "1e0", "0", "-0", "0.00", "2", "10", "9",
      "-1.5", "-1.50", ".5", "0.5", "t", "true", "f", "false", "lobby", "Lobby", "kitchen", "", "NaN", "Infinity",
      "-Infinity", "abc");

  private static final List<String> FILTER_COLUMNS = List.of("id", "room", "body", "score", "pinned", "name", "total",
      "code", "missing");

  /** A subscription to add, and whether to remove it again before matching. */
  record Planned(ChangeFilter filter, boolean removed) {
  }

  @Test
  void equalFiltersAreScannedAsOneGroupThatGoesWithItsLastSubscription() {
    List<Subscription<String>> added = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      added.add(index.add(filter("public", "messages", "*", "score=gt.1"), "client-" + i));
    }
    assertThat(index.scannedFilters()).isEqualTo(1);
    assertThat(subscribers(insert(MESSAGES, message("1", "lobby", "hi", "5", "f")))).hasSize(1000);

    added.forEach(index::remove);

    assertThat(index.size()).isZero();
    assertThat(index.scannedFilters()).as("no empty group left behind").isZero();
  }

  @Test
  void aMatchIsTheSameSnapshotUntilOneOfItsGroupsChanges() {
    List<Subscription<String>> added = new ArrayList<>();
    for (int i = 0; i < 2 * SnapshotArray.CHUNK + 7; i++) {
      added.add(index.add(filter("public", "messages", "*", null), "client-" + i));
    }
    index.add(filter("public", "messages", "*", "room=eq.lobby"), "lobby");
    ChangeEvent row = insert(MESSAGES, message("1", "kitchen", "hi", "0", "f"));
    Matches<String> first = index.match(row);

    assertThat(index.match(row).sameAs(first)).isTrue();
    assertThat(first.runCount()).as("the group's chunks, not its subscriptions").isEqualTo(3);

    index.add(filter("public", "rooms", "*", null), "rooms");
    index.add(filter("public", "messages", "*", "room=eq.garden"), "garden");
    assertThat(index.match(row).sameAs(first)).as("other groups changed, not these").isTrue();

    Subscription<String> late = index.add(filter("public", "messages", "*", null), "late");
    Matches<String> afterAdd = index.match(row);
    assertThat(afterAdd.sameAs(first)).isFalse();
    assertThat(afterAdd).contains(late).hasSize(added.size() + 1);
    assertThat(first).as("a match taken before is not changed").hasSize(added.size()).doesNotContain(late);

    index.remove(added.get(3));
    Matches<String> afterRemove = index.match(row);
    assertThat(afterRemove.sameAs(afterAdd)).isFalse();
    assertThat(afterRemove).hasSize(added.size()).doesNotContain(added.get(3));
    assertThat(afterAdd).as("a match taken before is not changed").contains(added.get(3));
  }

  @Test
  void emptyGroupsAndValueKeysGoWithTheirLastSubscription() {
    List<Subscription<String>> added = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      added.add(index.add(filter("public", "messages", "*", "room=eq.room-" + i), "client-" + i));
      added.add(index.add(filter("public", "messages", "INSERT", "room=eq.room-" + i), "inserts-" + i));
      added.add(index.add(filter("public", "messages", "*", "score=gt." + i), "score-" + i));
    }
    assertThat(index.groupsAndValueKeys()).isEqualTo(150 + 50);

    added.forEach(index::remove);

    assertThat(index.size()).isZero();
    assertThat(index.groupsAndValueKeys()).isZero();
    assertThat(index.match(insert(MESSAGES, message("1", "room-1", "hi", "40", "f")))).isEmpty();
  }

  @Test
  void concurrentWritersNeverShowAMatchATornGroup() throws Exception {
    List<Subscription<String>> stable = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      stable.add(index.add(filter("public", "messages", "*", null), "stable-" + i));
    }
    ChangeEvent row = insert(MESSAGES, message("1", "lobby", "hi", "0", "f"));
    int writers = 3;
    int rounds = 2_000;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String name = "writer-" + w;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        List<Subscription<String>> mine = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          mine.add(index.add(filter("public", "messages", "*", i % 2 == 0 ? null : "room=eq.lobby"), name));
          if (i % 3 == 2) {
            index.remove(mine.removeFirst());
          }
        }
        mine.forEach(index::remove);
      }));
    }
    start.countDown();
    int matchesChecked = 0;
    while (!done.get()) {
      done.set(threads.stream().noneMatch(Thread::isAlive));
      List<Subscription<String>> matched = index.match(row).toList();
      assertThat(matched).containsAll(stable).doesNotHaveDuplicates();
      matchesChecked++;
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(matchesChecked).isPositive();
    assertThat(index.size()).isEqualTo(stable.size());
    assertThat(index.match(row).toList()).containsExactlyInAnyOrderElementsOf(stable);
  }

  /** One step of a history: add a subscription, or remove the live one at {@code index} (modulo). */
  record Step(ChangeFilter add, int index) {
  }

  @Property(tries = 200)
  void afterEveryAddAndRemoveTheIndexAgreesWithItsFilters(@ForAll("steps") List<Step> steps,
      @ForAll("events") List<ChangeEvent> events) {
    SubscriptionIndex<Integer> index = new SubscriptionIndex<>();
    List<Subscription<Integer>> live = new ArrayList<>();
    int next = 0;
    for (Step step : steps) {
      if (step.add() != null) {
        live.add(index.add(step.add(), next++));
      } else if (!live.isEmpty()) {
        index.remove(live.remove(step.index() % live.size()));
      }
      assertThat(index.size()).isEqualTo(live.size());
      for (ChangeEvent event : events) {
        List<Subscription<Integer>> expected = live.stream().filter(s -> s.filter().matches(event)).toList();
        assertThat(index.match(event).toList()).as("subscriptions matching %s", ChangeFixtures.describe(event))
            .containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
      }
    }
    live.forEach(index::remove);
    assertThat(index.size()).isZero();
    assertThat(index.groupsAndValueKeys()).as("nothing left behind").isZero();
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> adds = plannedSubscriptions().map(planned -> new Step(planned.getFirst().filter(), 0));
    Arbitrary<Step> removes = Arbitraries.integers().between(0, 1000).map(index -> new Step(null, index));
    return Arbitraries.frequencyOf(Tuple.of(3, adds), Tuple.of(2, removes)).list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 400)
  void indexReturnsExactlyTheSubscriptionsWhoseFilterMatches(@ForAll("plannedSubscriptions") List<Planned> planned,
      @ForAll("events") List<ChangeEvent> events) {
    SubscriptionIndex<Integer> index = new SubscriptionIndex<>();
    List<Subscription<Integer>> added = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      added.add(index.add(planned.get(i).filter(), i));
    }
    int live = planned.size();
    for (int i = 0; i < planned.size(); i++) {
      if (planned.get(i).removed()) {
        index.remove(added.get(i));
        live--;
      }
    }
    assertThat(index.size()).isEqualTo(live);

    for (ChangeEvent event : events) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < planned.size(); i++) {
        if (!planned.get(i).removed() && planned.get(i).filter().matches(event)) {
          expected.add(i);
        }
      }
      List<Integer> actual = index.match(event).stream().map(Subscription::subscriber).sorted().toList();
      assertThat(actual).as("subscriptions matching %s", ChangeFixtures.describe(event)).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<List<Planned>> plannedSubscriptions() {
    Arbitrary<String> schemas = Arbitraries.of("public", "billing");
    Arbitrary<String> tables = Arbitraries.of("messages", "rooms", "invoices", "codes", ChangeFilter.ALL_TABLES);
    Arbitrary<Set<ChangeType>> eventTypes = Arbitraries.subsetOf(ChangeType.values());
    Arbitrary<RowFilter> rowFilters = Combinators.combine(Arbitraries.of(FILTER_COLUMNS), Arbitraries.of(Operator.class),
        Arbitraries.of(VALUES).list().ofMinSize(1).ofMaxSize(3))
        .as((column, operator, values) -> new RowFilter(column, operator,
            operator == Operator.IN ? values : List.of(values.getFirst())));
    Arbitrary<Boolean> removed = Arbitraries.integers().between(0, 4).map(i -> i == 0);
    return Combinators.combine(schemas, tables, eventTypes, rowFilters.injectNull(0.3), removed)
        .as((schema, table, types, rowFilter, remove) -> new Planned(new ChangeFilter(schema, table, types, rowFilter),
            remove))
        .list().ofMinSize(1).ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<ChangeEvent>> events() {
    Arbitrary<ChangeEvent> rows = Arbitraries.of(PROPERTY_TABLES).flatMap(table -> {
      Arbitrary<TupleData> tuples = cells().list().ofSize(table.columns().size()).map(TupleData::new);
      return Arbitraries.oneOf(
          tuples.map(record -> (ChangeEvent) insert(table, record)),
          Combinators.combine(tuples, tuples.injectNull(0.4)).as((record, old) -> (ChangeEvent) update(table, record, old)),
          tuples.map(old -> (ChangeEvent) delete(table, old)));
    });
    Arbitrary<ChangeEvent> truncates = Arbitraries.of(PROPERTY_TABLES)
        .map(table -> (ChangeEvent) truncate(position(0x2000, 0), table));
    Arbitrary<ChangeEvent> messages = Arbitraries.of("realtime", "heartbeat")
        .map(prefix -> (ChangeEvent) databaseMessage(position(0x3000, 0), prefix, "{}"));
    return Arbitraries.frequencyOf(Tuple.of(20, rows), Tuple.of(3, truncates), Tuple.of(1, messages))
        .list().ofMinSize(1).ofMaxSize(15);
  }

  private static Arbitrary<ColumnValue> cells() {
    return Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.of(VALUES).map(text -> (ColumnValue) ColumnValue.Text.of(text))),
        Tuple.of(1, Arbitraries.<ColumnValue>just(ColumnValue.NULL)),
        Tuple.of(1, Arbitraries.<ColumnValue>just(ColumnValue.UNCHANGED_TOAST)));
  }
}
