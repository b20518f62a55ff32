package dev.slipstream.runtime.route;

import java.util.concurrent.CompletableFuture;

/**
 * Where subscriptions are checked against the tables the tenant's publications carry: the latest
 * snapshot, read now and then, and a fresh one on request. A subscription the snapshot refuses
 * may name a table added to a publication since the last read (what the operator does when a
 * RealtimePublication gains a table), so it is checked again against a fresh read before it is
 * refused.
 */
public interface PublishedTables {

  /** The latest snapshot; never blocks. */
  PublishedColumns current();

  /**
   * A snapshot read after this call, or the latest one if that read fails. It may complete on any
   * thread (an event loop hands what follows back to itself); reads are shared by the calls
   * waiting for them and spaced out, so callers (clients naming tables that do not exist, say)
   * cannot make the database read it more often than the implementation allows.
   */
  CompletableFuture<PublishedColumns> refresh();

  /** Always {@code columns}, refreshed or not: for tests and for a runtime with no catalog. */
  static PublishedTables fixed(PublishedColumns columns) {
    return new PublishedTables() {
      @Override
      public PublishedColumns current() {
        return columns;
      }

      @Override
      public CompletableFuture<PublishedColumns> refresh() {
        return CompletableFuture.completedFuture(columns);
      }
    };
  }
}
