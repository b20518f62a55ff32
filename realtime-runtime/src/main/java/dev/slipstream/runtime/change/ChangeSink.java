package dev.slipstream.runtime.change;

/**
 * Where the {@link TransactionAssembler} hands committed changes, on the replication thread,
 * in commit order. An implementation must not block for long: it holds up the stream.
 */
public interface ChangeSink {

  /** One committed event. */
  void accept(ChangeEvent event);

  /**
   * Every event of the transaction ending at {@code endLsn} has been accepted. Once this returns,
   * the slot may be confirmed up to {@code endLsn} (DESIGN principle 4).
   */
  void committed(long endLsn);

  /**
   * A replication connection starts streaming at {@code confirmedLsn}, the slot's
   * {@code confirmed_flush_lsn}: nothing committed before it will be accepted on this connection;
   * the server's WAL then ends at {@code serverWalEnd}. Called before that connection's first event.
   */
  default void streamStartsAt(long confirmedLsn, long serverWalEnd) {
  }

  /**
   * The feeder has more already arrived and will hand it over together: until {@link #batchEnds()},
   * a sink may hold what it would hand on at each commit, and send it on in one go.
   */
  default void batchStarts() {
  }

  /** Nothing more has arrived (or the batch is long enough): hand on whatever is held. */
  default void batchEnds() {
  }
}
