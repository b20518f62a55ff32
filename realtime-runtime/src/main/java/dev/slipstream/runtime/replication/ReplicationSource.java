package dev.slipstream.runtime.replication;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.change.TransactionAssembler;
import dev.slipstream.runtime.pgoutput.PgOutputDecoder;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a tenant's logical replication slot with pgoutput on its own thread and hands committed
 * changes to a {@link ChangeSink}, in commit order.
 *
 * <p>The slot advances only behind delivery (DESIGN principle 4): the flush LSN reported to
 * PostgreSQL is the end LSN of the last transaction whose every event the sink has accepted.
 * After a crash or a dropped connection the server resends from the slot's confirmed position;
 * events at or before the last dispatched position are dropped here, so the sink sees each event
 * exactly once per process.
 *
 * <p>A lost connection is retried with exponential backoff (100 ms doubling to
 * {@link ReplicationSettings#maxBackoff()}, with jitter) until {@link #stop()}.
 */
public final class ReplicationSource implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplicationSource.class);
  private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);

  private final ReplicationSettings settings;
  private final ChangeSink sink;
  private final Clock clock;
  private final Thread thread;
  private final AtomicLong flushedLsn = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private final Object lifecycle = new Object();
  private volatile boolean running;
  private volatile Connection connection;
  private volatile String lastError;
  private EventPosition lastDispatched;
  /** What of the delivered may be confirmed: with followers, only what every one of them acknowledged. */
  private volatile ConfirmGate gate = ConfirmGate.DELIVERED;
  /** The end LSN of the last transaction the sink took, on the current or an earlier connection. */
  private volatile long deliveredLsn;
  private volatile PGReplicationStream current;
  private final Object confirming = new Object();
  private volatile long peakStreamedBytes;
  /** When the stream last delivered anything (System.nanoTime), for the {@link Heartbeat}. */
  private volatile long lastReceivedNanos = System.nanoTime();
  private volatile long spilledChanges;
  /** Transactions committed in the current batch, and the end of the last of them (replication thread). */
  private int commitsInBatch;
  private long committedInBatch;
  /**
   * A batch ends at a commit when nothing more is waiting on the socket, or once it holds this many
   * transactions or has lasted this long (its first transaction waits for the batch's end, and under
   * a backlog, with 1,000 subscribers a transaction is 1,000 deliveries to route), or when pgjdbc
   * has nothing more.
   */
  static final int MAX_BATCH_COMMITS = 64;
  static final long MAX_BATCH_NANOS = 2_000_000;
  private long batchStartedNanos;

  public ReplicationSource(ReplicationSettings settings, ChangeSink sink, Clock clock) {
    this.settings = settings;
    this.sink = sink;
    this.clock = clock;
    this.thread = Thread.ofPlatform().name("replication-" + settings.slotName()).daemon().unstarted(this::run);
  }

  /**
   * Events at or before {@code position} were already dispatched (by this pod as a follower, from
   * the leader's relay): they are dropped when the slot resends them. Call before {@link #start()}.
   */
  public ReplicationSource resumeAfter(EventPosition position) {
    this.lastDispatched = position;
    return this;
  }

  /** Confirms only what {@code gate} allows of what was delivered. Call before {@link #start()}. */
  public ReplicationSource gate(ConfirmGate gate) {
    this.gate = gate;
    return this;
  }

  /**
   * Confirms to PostgreSQL what the gate now allows, from any thread (the relay calls it when its
   * followers acknowledge). pgjdbc's flushed position may be set from another thread; the stream
   * sends it with its next status update.
   */
  public void reconfirm() {
    synchronized (confirming) {
      PGReplicationStream stream = current;
      long lsn = gate.confirmable(deliveredLsn);
      if (stream == null || lsn == 0 || Long.compareUnsigned(lsn, flushedLsn.get()) <= 0) {
        return;
      }
      LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
      stream.setFlushedLSN(position);
      stream.setAppliedLSN(position);
      flushedLsn.set(lsn);
    }
  }

  public void start() {
    running = true;
    thread.start();
  }

  /** Stops streaming; what was dispatched stays confirmed, the rest is resent to the next reader. */
  public void stop() {
    running = false;
    synchronized (lifecycle) {
      lifecycle.notifyAll();
    }
    closeQuietly(connection);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The LSN confirmed (flushed) to PostgreSQL most recently. */
  public long flushedLsn() {
    return flushedLsn.get();
  }

  /** How many times a replication connection was opened. */
  public long connects() {
    return connects.get();
  }

  /** When the stream last delivered a message (System.nanoTime); keepalives do not count. */
  public long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  /** Whether {@link #stop} was called (for tests that stop it at a chosen moment). */
  boolean stopping() {
    return !running;
  }

  /** Whether a replication connection is open and streaming now. */
  public boolean streaming() {
    return connection != null && lastError == null;
  }

  /** The last connection or stream error, or null while streaming is healthy. */
  public String lastError() {
    return lastError;
  }

  public long peakStreamedBytesInMemory() {
    return peakStreamedBytes;
  }

  public long spilledChanges() {
    return spilledChanges;
  }

  private void run() {
    Duration backoff = INITIAL_BACKOFF;
    while (running) {
      try {
        streamOnce();
        backoff = INITIAL_BACKOFF;
      } catch (Exception e) {
        if (!running) {
          break;
        }
        lastError = e.getMessage();
        log.warn("Replication from slot {} failed ({}); reconnecting in {} ms", settings.slotName(), e.getMessage(),
            backoff.toMillis());
        log.debug("Replication failure", e);
        pause(jitter(backoff));
        backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
      } finally {
        current = null;
        closeQuietly(connection);
        connection = null;
      }
    }
  }

  private void streamOnce() throws SQLException {
    try (ReceiveWatch watch = new ReceiveWatch()) {
      Connection conn = ReplicationConnection.open(settings, watch);
      connection = conn;
      connects.incrementAndGet();
      ProtocolVersion protocol = ReplicationConnection.protocol(conn);
      ReplicationConnection.useStableTextFormats(conn);
      long[] positions = ReplicationConnection.slotPositions(conn, settings.slotName());
      sink.streamStartsAt(positions[0], positions[1]);
      PgOutputDecoder decoder = new PgOutputDecoder(protocol.version(), protocol.streaming());
      PGReplicationStream stream = ReplicationConnection.start(conn, settings, protocol);
      log.info("Streaming slot {} of {} with pgoutput protocol {} (streaming {})", settings.slotName(),
          settings.jdbcUrl(), protocol.version(), protocol.streaming().optionValue());
      lastError = null;
      current = stream;
      try (TransactionAssembler assembler = new TransactionAssembler(new Confirming(),
          settings.streamedMemoryLimitBytes(), settings.spillDirectory(), clock)) {
        readLoop(stream, decoder, assembler, watch);
      }
    }
  }

  /**
   * Reads what has arrived with {@code readPending()} and decodes it, as one batch for the sink;
   * when nothing more is there, ends the batch, confirms what it may, and waits on the socket for
   * the next byte (no polling, no added latency). pgjdbc answers a keepalive inside
   * {@code readPending()} as soon as it is read, where its blocking {@code read()} would answer only
   * with the next data; that, and confirming a keepalive's position while nothing is in flight, is
   * what lets a PostgreSQL shutdown finish at once instead of waiting for {@code wal_sender_timeout}.
   */
  private void readLoop(PGReplicationStream stream, PgOutputDecoder decoder, TransactionAssembler assembler,
      ReceiveWatch watch) throws SQLException {
    ReceiveDeadline deadline = new ReceiveDeadline(settings.receiveTimeout(), System.nanoTime());
    boolean inBatch = false;
    try {
      while (running) {
        ByteBuffer message = stream.readPending();
        if (message != null) {
          long now = System.nanoTime();
          lastReceivedNanos = now;
          if (!inBatch) {
            inBatch = true;
            batchStartedNanos = now;
            sink.batchStarts();
          }
          assembler.accept(decoder.decode(message));
          peakStreamedBytes = Math.max(peakStreamedBytes, assembler.peakStreamedBytesInMemory());
          spilledChanges = assembler.spilledChanges();
          if (commitsInBatch > 0 && (commitsInBatch >= MAX_BATCH_COMMITS || now - batchStartedNanos >= MAX_BATCH_NANOS
              || !bytesWaiting(watch))) {
            endBatch();
            inBatch = false;
          }
          continue;
        }
        if (inBatch) {
          endBatch();
          inBatch = false;
        }
        confirmIdle(stream, assembler);
        if (!awaitReadable(watch, deadline.waitMillis())) {
          switch (deadline.check(watch.lastByteNanos(), System.nanoTime())) {
            case PROBE -> stream.forceUpdateStatus(); // asks for a reply: the walsender sends a keepalive
            case EXPIRED -> throw new SQLException("nothing received from PostgreSQL on the replication connection for "
                + deadline.timeout().toSeconds() + " s (the receive timeout, SLIPSTREAM_REPLICATION_RECEIVE_TIMEOUT): "
                + "the network or the server stopped answering; reconnecting");
            case ALIVE -> {
            }
          }
        }
      }
    } finally {
      if (inBatch) {
        // Stopped (the Lease lost, a shutdown) or failed in the middle of a batch: what it routed
        // still goes to the clients, and the sink leaves its batch. A sink left in a batch holds
        // every later hand-over back: a pod that stops leading and then follows another through
        // the relay, which hands over at each commit, would deliver nothing more.
        commitsInBatch = 0;
        sink.batchEnds();
      }
    }
  }

  /**
   * Whether more has arrived on the socket. At a commit with nothing waiting there the batch ends
   * at once: otherwise its hand-over would wait for pgjdbc's next read to come back empty, after a
   * 1 ms timed peek that a loaded machine stretches to many.
   */
  private static boolean bytesWaiting(ReceiveWatch watch) throws SQLException {
    try {
      return watch.bytesWaiting();
    } catch (java.io.IOException e) {
      throw new SQLException("the replication connection failed: " + e.getMessage(), e);
    }
  }

  private boolean awaitReadable(ReceiveWatch watch, int millis) throws SQLException {
    try {
      return watch.awaitReadable(millis);
    } catch (java.io.EOFException e) {
      throw new SQLException(e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new SQLException("the replication connection failed: " + e.getMessage(), e);
    }
  }

  /** Hands what the batch routed to the sink's consumers, then confirms its transactions. */
  private void endBatch() {
    commitsInBatch = 0;
    sink.batchEnds(); // also when stopping: see readLoop
    if (!running) {
      return; // the next reader confirms
    }
    if (committedInBatch != 0) {
      deliveredLsn = committedInBatch;
      committedInBatch = 0;
      reconfirm();
    }
  }

  /**
   * With nothing in flight (between transactions, everything delivered confirmable), the server's
   * last reported position may be confirmed: no change lies between the last commit and it. This
   * is what a PostgreSQL shutdown waits for (the walsender leaves once its reader confirmed the
   * shutdown checkpoint), and it keeps an idle slot following the server's WAL between heartbeats.
   *
   * <p>The position goes out with pgjdbc's next status update: the periodic one, or its answer to
   * the next keepalive that asks for one (a shutting-down walsender asks again after each answer).
   * Not forced here: pgjdbc's forced update peeks at the socket twice (1 ms timed reads) and asks
   * the walsender for a reply, and a walsender sends a keepalive after every transaction while it
   * waits, so forcing cost the replication thread milliseconds per transaction, and latency under load.
   */
  private void confirmIdle(PGReplicationStream stream, TransactionAssembler assembler) {
    long serverLsn = stream.getLastReceiveLSN().asLong();
    if (serverLsn == 0 || !assembler.idle() || Long.compareUnsigned(serverLsn, flushedLsn.get()) <= 0) {
      return;
    }
    synchronized (confirming) {
      long delivered = deliveredLsn;
      if (gate.confirmable(delivered) != delivered || Long.compareUnsigned(serverLsn, delivered) < 0) {
        return; // a follower has not acknowledged everything yet: its acknowledgement confirms later
      }
      LogSequenceNumber position = LogSequenceNumber.valueOf(serverLsn);
      stream.setFlushedLSN(position);
      stream.setAppliedLSN(position);
      flushedLsn.set(serverLsn);
    }
  }

  private void pause(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    synchronized (lifecycle) {
      long left;
      while (running && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static Duration jitter(Duration backoff) {
    long millis = backoff.toMillis();
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void closeQuietly(Connection conn) {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // Closing is how stop() interrupts a blocking read; an error here changes nothing.
      }
    }
  }

  /** Drops replayed events, forwards the rest, and confirms each committed transaction. */
  private final class Confirming implements ChangeSink {

    @Override
    public void accept(ChangeEvent event) {
      if (!running) {
        return; // stopped (the pod lost its Lease): another feeder may own the sink by now
      }
      if (lastDispatched != null && !event.position().isAfter(lastDispatched)) {
        return; // resent after a reconnect: already dispatched before
      }
      sink.accept(event);
      lastDispatched = event.position();
    }

    @Override
    public void committed(long endLsn) {
      if (!running) {
        return;
      }
      sink.committed(endLsn);
      committedInBatch = endLsn; // confirmed once the batch is handed over (endBatch)
      commitsInBatch++;
    }
  }
}
