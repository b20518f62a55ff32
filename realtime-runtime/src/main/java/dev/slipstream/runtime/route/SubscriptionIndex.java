package dev.slipstream.runtime.route;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the subscribers of a change without looking at every subscription: first by table
 * ({@code schema.table}, and {@code schema.*}), then, for {@code eq} filters, by a hash of the
 * filtered column's value; only subscriptions without an {@code eq} filter are tested one filter
 * at a time. With 10,000 clients each watching {@code room=eq.<their room>}, a change touches the
 * handful in its room. A subscription on a table under a claim-based {@link AccessRule} is keyed
 * by its claim's value instead, so rows reach only the subscribers whose claim they carry.
 *
 * <p>Subscriptions with equal filters form a group, tested once per event and kept as an
 * immutable {@link SnapshotArray}: a match hands on the group's chunks as they are ({@link
 * Matches}), so an event to 15,000 subscribers of one filter costs a few dozen references, not a
 * walk of a hash table and a copy of 15,000 (the replication thread's largest routing cost before).
 *
 * <p>Threads: subscribers come and go on Netty event loops while the replication thread matches.
 * The writers ({@link #add}, {@link #remove}) take turns on one lock, the index's only owner of
 * its mutable state, and publish each change as new snapshots; a change copies at most two chunks
 * of one group (and the array of chunk references), a few microseconds. {@link #match} takes no
 * lock and never waits: it reads published snapshots and concurrent maps, so it sees each
 * subscription either whole or not at all, and every subscription whose {@code add} returned
 * before the match began (the SSE resume relies on this: ring first, then routing).
 *
 * @param <T> what a subscription delivers to
 */
public final class SubscriptionIndex<T> {

  /** One registered subscription; identity matters, two equal filters are two subscriptions. */
  public static final class Subscription<T> extends SnapshotArray.Member {
    private final ChangeFilter filter;
    private final T subscriber;

    Subscription(ChangeFilter filter, T subscriber) {
      this.filter = filter;
      this.subscriber = subscriber;
    }

    public ChangeFilter filter() {
      return filter;
    }

    public T subscriber() {
      return subscriber;
    }
  }

  /** Told of a subscription whose filter failed for an event: it is left out of that event's match. */
  @FunctionalInterface
  public interface FilterFailures<T> {
    void failed(Subscription<T> subscription, ChangeEvent event, RuntimeException error);
  }

  private static final Subscription<?>[] SUBSCRIPTIONS = new Subscription<?>[0];
  private static final FilterGroup<?>[] GROUPS = new FilterGroup<?>[0];

  /** Buckets by {@code schema.table}; read by matches without a lock, changed only under {@link #writer}. */
  private final Map<String, Bucket<T>> tables = new ConcurrentHashMap<>();
  /** Held by whoever adds or removes: one writer at a time, never the matching thread. */
  private final Object writer = new Object();
  private volatile int size;
  private volatile FilterFailures<T> failures = (subscription, event, error) -> { };

  /**
   * Who hears of filters that fail for an event (the fan-out: it counts them and tells the
   * subscriber). A filter that throws never stops the match: one poisoned subscription must not
   * hold back the event for every other one.
   */
  public void onFilterFailure(FilterFailures<T> failures) {
    this.failures = failures;
  }

  public Subscription<T> add(ChangeFilter filter, T subscriber) {
    Subscription<T> subscription = new Subscription<>(filter, subscriber);
    synchronized (writer) {
      Bucket<T> bucket = tables.computeIfAbsent(key(filter.schema(), filter.table()), k -> new Bucket<>());
      FilterGroup<T> group = bucket.groups.get(filter);
      if (group == null) {
        group = new FilterGroup<>(filter, homeFor(bucket, filter));
        group.members.add(subscription); // before the group is published: a group readers find is never empty
        group.home.add(group);
        bucket.groups.put(filter, group);
      } else {
        group.members.add(subscription);
      }
      size = size + 1;
    }
    return subscription;
  }

  /** Where a new group of {@code filter} goes: the bucket's scanned groups, or its equality's. */
  private SnapshotArray<FilterGroup<T>> homeFor(Bucket<T> bucket, ChangeFilter filter) {
    RowFilter indexed = filter.indexFilter();
    if (indexed == null) {
      return bucket.scanned;
    }
    return bucket.byColumnValue.computeIfAbsent(indexed.column(), c -> new ConcurrentHashMap<>())
        .computeIfAbsent(indexed.equalityKey(), v -> new SnapshotArray<>(groupPrototype()));
  }

  public void remove(Subscription<T> subscription) {
    ChangeFilter filter = subscription.filter;
    synchronized (writer) {
      Bucket<T> bucket = tables.get(key(filter.schema(), filter.table()));
      FilterGroup<T> group = bucket == null ? null : bucket.groups.get(filter);
      if (group == null || !group.members.remove(subscription)) {
        return; // removed before, or never in this index
      }
      if (group.members.isEmpty()) {
        // The empty group goes: filters with claim access are one per subscriber and would pile up.
        bucket.groups.remove(filter);
        group.home.remove(group);
        if (group.home != bucket.scanned && group.home.isEmpty()) {
          RowFilter indexed = filter.indexFilter();
          Map<String, SnapshotArray<FilterGroup<T>>> values = bucket.byColumnValue.get(indexed.column());
          values.remove(indexed.equalityKey());
          if (values.isEmpty()) {
            bucket.byColumnValue.remove(indexed.column());
          }
        }
      }
      size = size - 1;
    }
  }

  public int size() {
    return size;
  }

  /** Distinct filters held for scanning, over all tables (for tests: groups are shared, and go). */
  int scannedFilters() {
    synchronized (writer) {
      return tables.values().stream().mapToInt(bucket -> bucket.scanned.size()).sum();
    }
  }

  /** Distinct filters held, scanned or keyed by a value, and the value keys (for tests: empty ones go). */
  int groupsAndValueKeys() {
    synchronized (writer) {
      return tables.values().stream().mapToInt(bucket -> bucket.groups.size()
          + bucket.byColumnValue.values().stream().mapToInt(Map::size).sum()).sum();
    }
  }

  /** Every subscription whose filter admits the event, as the chunks of the groups that admit it. */
  public Matches<T> match(ChangeEvent event) {
    Matches<T> matches = new Matches<>();
    switch (event) {
      case RowChange row -> {
        collect(tables.get(key(row.table().schema(), row.table().table())), row, matches);
        collect(tables.get(key(row.table().schema(), ChangeFilter.ALL_TABLES)), row, matches);
      }
      case TableTruncate truncate -> {
        // Each bucket once: two truncated tables of one schema share its schema.* bucket.
        Set<String> keys = new LinkedHashSet<>();
        for (TableSchema table : truncate.tables()) {
          keys.add(key(table.schema(), table.table()));
          keys.add(key(table.schema(), ChangeFilter.ALL_TABLES));
        }
        for (String key : keys) {
          Bucket<T> bucket = tables.get(key);
          if (bucket != null) {
            test(bucket.scanned, event, matches);
          }
        }
      }
      case ChangeEvent.DatabaseMessage ignored -> {
        // Database messages reach clients as broadcasts, not postgres_changes.
      }
    }
    return matches;
  }

  private void collect(Bucket<T> bucket, RowChange row, Matches<T> matches) {
    if (bucket == null) {
      return;
    }
    test(bucket.scanned, row, matches);
    TupleData tuple = row.record() != null ? row.record() : row.oldRecord();
    if (tuple == null || bucket.byColumnValue.isEmpty()) {
      return;
    }
    bucket.byColumnValue.forEach((column, values) -> {
      int index = row.table().indexOf(column);
      if (index >= 0 && index < tuple.size() && tuple.get(index) instanceof ColumnValue.Text text) {
        SnapshotArray<FilterGroup<T>> candidates = values.get(RowFilter.looseKey(text.asString()));
        if (candidates != null) {
          test(candidates, row, matches);
        }
      }
    });
  }

  /** Tests each group's filter once, however many subscriptions share it; takes the admitting groups whole. */
  @SuppressWarnings("unchecked")
  private void test(SnapshotArray<FilterGroup<T>> groups, ChangeEvent event, Matches<T> matches) {
    for (SnapshotArray.Member[] chunk : groups.chunks()) {
      for (SnapshotArray.Member member : chunk) {
        FilterGroup<T> group = (FilterGroup<T>) member;
        SnapshotArray.Member[][] subscriptions = group.members.chunks();
        boolean admits;
        try {
          admits = group.filter.matches(event);
        } catch (RuntimeException e) {
          for (SnapshotArray.Member[] failed : subscriptions) {
            for (SnapshotArray.Member subscription : failed) {
              failures.failed((Subscription<T>) subscription, event, e);
            }
          }
          continue;
        }
        if (admits) {
          matches.addAll(subscriptions);
        }
      }
    }
  }

  private static String key(String schema, String table) {
    return schema + '.' + table;
  }

  @SuppressWarnings("unchecked")
  private static <T> FilterGroup<T>[] groupPrototype() {
    return (FilterGroup<T>[]) GROUPS;
  }

  @SuppressWarnings("unchecked")
  private static <T> Subscription<T>[] subscriptionPrototype() {
    return (Subscription<T>[]) SUBSCRIPTIONS;
  }

  /** The subscriptions of one filter, and the snapshot array of groups it is in. */
  private static final class FilterGroup<T> extends SnapshotArray.Member {
    final ChangeFilter filter;
    final SnapshotArray<Subscription<T>> members = new SnapshotArray<>(subscriptionPrototype());
    final SnapshotArray<FilterGroup<T>> home;

    FilterGroup(ChangeFilter filter, SnapshotArray<FilterGroup<T>> home) {
      this.filter = filter;
      this.home = home;
    }
  }

  private static final class Bucket<T> {
    /** Every group of the table by its filter: the writer's way to a group (under the lock only). */
    final Map<ChangeFilter, FilterGroup<T>> groups = new HashMap<>();
    /** Groups without an indexable equality. */
    final SnapshotArray<FilterGroup<T>> scanned = new SnapshotArray<>(groupPrototype());
    /** Groups with an equality, by its column, then by the value's {@link RowFilter#looseKey}. */
    final Map<String, Map<String, SnapshotArray<FilterGroup<T>>>> byColumnValue = new ConcurrentHashMap<>();
  }
}
