package dev.slipstream.runtime.route;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the subscribers of a change without looking at every subscription: first by table
 * ({@code schema.table}, and {@code schema.*}), then, for {@code eq} filters, by a hash of the
 * filtered column's value; only subscriptions without an {@code eq} filter are tested one by one.
 * With 10,000 clients each watching {@code room=eq.<their room>}, a change touches the handful
 * in its room. A subscription on a table under a claim-based {@link AccessRule} is keyed by its
 * claim's value instead, so rows reach only the subscribers whose claim they carry.
 *
 * <p>Thread-safe: subscribers come and go on Netty event loops while the replication thread
 * matches; all maps and sets are concurrent, so a match sees each subscription either whole or
 * not at all.
 *
 * @param <T> what a subscription delivers to
 */
public final class SubscriptionIndex<T> {

  /** One registered subscription; identity matters, two equal filters are two subscriptions. */
  public static final class Subscription<T> {
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

  private final Map<String, Bucket<T>> tables = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong changes = new AtomicLong();
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
    Bucket<T> bucket = tables.computeIfAbsent(key(filter.schema(), filter.table()), k -> new Bucket<>());
    RowFilter indexed = filter.indexFilter();
    if (indexed == null) {
      // compute: atomic per filter, so a concurrent remove of the last equal subscription cannot
      // drop the set this one goes into.
      bucket.scanned.compute(filter, (f, set) -> {
        Set<Subscription<T>> members = set == null ? ConcurrentHashMap.newKeySet() : set;
        members.add(subscription);
        return members;
      });
    } else {
      bucket.byColumnValue.computeIfAbsent(indexed.column(), c -> new ConcurrentHashMap<>())
          .computeIfAbsent(indexed.equalityKey(), v -> ConcurrentHashMap.newKeySet()).add(subscription);
    }
    size.incrementAndGet();
    changes.incrementAndGet();
    return subscription;
  }

  public void remove(Subscription<T> subscription) {
    ChangeFilter filter = subscription.filter;
    Bucket<T> bucket = tables.get(key(filter.schema(), filter.table()));
    if (bucket == null) {
      return;
    }
    boolean removed;
    RowFilter indexed = filter.indexFilter();
    if (indexed == null) {
      boolean[] found = new boolean[1];
      // The empty set goes: filters with claim access are one per subscriber and would pile up.
      bucket.scanned.computeIfPresent(filter, (f, set) -> {
        found[0] = set.remove(subscription);
        return set.isEmpty() ? null : set;
      });
      removed = found[0];
    } else {
      Map<String, Set<Subscription<T>>> values = bucket.byColumnValue.get(indexed.column());
      Set<Subscription<T>> set = values == null ? null : values.get(indexed.equalityKey());
      removed = set != null && set.remove(subscription);
      // Empty sets are left in place: removing them races with a concurrent add, and they are small.
    }
    if (removed) {
      size.decrementAndGet();
      changes.incrementAndGet();
    }
  }

  public int size() {
    return size.get();
  }

  /** Grows with every add and remove: a caller that keeps what a match returned knows when to let go of it. */
  public long changes() {
    return changes.get();
  }

  /** Distinct filters held for scanning, over all tables (for tests: groups are shared, and go). */
  int scannedFilters() {
    return tables.values().stream().mapToInt(bucket -> bucket.scanned.size()).sum();
  }

  /** Every subscription whose filter admits the event. */
  public List<Subscription<T>> match(ChangeEvent event) {
    List<Subscription<T>> matches = new ArrayList<>();
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
        keys.forEach(key -> scan(tables.get(key), event, matches));
      }
      case ChangeEvent.DatabaseMessage ignored -> {
        // Database messages reach clients as broadcasts, not postgres_changes.
      }
    }
    return matches;
  }

  private void collect(Bucket<T> bucket, RowChange row, List<Subscription<T>> matches) {
    if (bucket == null) {
      return;
    }
    scan(bucket, row, matches);
    TupleData tuple = row.record() != null ? row.record() : row.oldRecord();
    if (tuple == null || bucket.byColumnValue.isEmpty()) {
      return;
    }
    bucket.byColumnValue.forEach((column, values) -> {
      int index = row.table().indexOf(column);
      if (index >= 0 && index < tuple.size() && tuple.get(index) instanceof ColumnValue.Text text) {
        Set<Subscription<T>> candidates = values.get(RowFilter.looseKey(text.asString()));
        if (candidates != null) {
          for (Subscription<T> candidate : candidates) {
            try {
              if (candidate.filter.matches(row)) {
                matches.add(candidate);
              }
            } catch (RuntimeException e) {
              failures.failed(candidate, row, e);
            }
          }
        }
      }
    });
  }

  /** Each distinct filter is tested once, however many subscriptions share it. */
  private void scan(Bucket<T> bucket, ChangeEvent event, List<Subscription<T>> matches) {
    if (bucket != null) {
      bucket.scanned.forEach((filter, subscriptions) -> {
        boolean admits;
        try {
          admits = filter.matches(event);
        } catch (RuntimeException e) {
          subscriptions.forEach(subscription -> failures.failed(subscription, event, e));
          return;
        }
        if (admits) {
          matches.addAll(subscriptions);
        }
      });
    }
  }

  private static String key(String schema, String table) {
    return schema + '.' + table;
  }

  private static final class Bucket<T> {
    /** Subscriptions without an indexable equality, grouped by equal filters. */
    final Map<ChangeFilter, Set<Subscription<T>>> scanned = new ConcurrentHashMap<>();
    final Map<String, Map<String, Set<Subscription<T>>>> byColumnValue = new ConcurrentHashMap<>();
  }
}
