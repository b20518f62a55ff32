package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The most recent committed transactions of the tenant's stream, as relay frames, on every pod:
 * the leader's replication source feeds it (as a {@link ChangeSink}, beside the fan-out), a
 * follower's {@link RelayClient} appends what it receives (a copy of the received frames, no
 * re-encoding). The leader's {@link RelayServer} replays it to a follower that reconnects; after a
 * leader change the new leader serves the others from its own.
 *
 * <p>Each transaction is encoded once, into segments (one or more whole frames: chunks of about
 * {@value #CHUNK_BYTES} bytes, the last one ending with COMMIT); every follower is handed the same
 * bytes (retained duplicates), live as each segment is closed, so a transaction larger than the
 * backlog still streams. Bounded by bytes: whole transactions are evicted oldest first, and a
 * transaction that alone outgrows the bound is not kept (followers that join during it are told of
 * a gap at its commit).
 *
 * <p>Like the replication source it drops what it already has (by position and end LSN), so being
 * fed again from the slot's confirmed position after a failover adds nothing twice. Thread-safe:
 * fed by one thread at a time, read by the relay's event loops.
 */
public final class RelayBacklog implements ChangeSink, AutoCloseable {

  public static final long DEFAULT_MAX_BYTES = 32L << 20;
  static final int CHUNK_BYTES = 64 * 1024;

  /** Frames of one transaction handed to the followers; {@code endLsn} when it completes it. */
  record Segment(long seq, ByteBuf frames, boolean completes, long endLsn) {
  }

  /**
   * What a follower joining now is sent before the live segments.
   *
   * @param gap whether the backlog no longer reaches back to the follower's point: it continues from
   *     {@code startLsn}
   * @param skipSeq a transaction under way that is not kept (its segments are skipped, and a gap
   *     reported at its commit), else -1
   */
  record Replay(long startLsn, boolean gap, long serverWalEnd, List<Segment> segments, long skipSeq) {
  }

  private static final class Transaction {
    final long seq;
    final List<ByteBuf> segments = new ArrayList<>(1);
    long bytes;
    long endLsn;
    boolean dropped;

    Transaction(long seq) {
      this.seq = seq;
    }
  }

  private final long maxBytes;
  private final ByteBufAllocator allocator;
  private final ChunkWriter writer;
  private final Progress progress = new Progress(StreamPoint.NONE);
  private final ArrayDeque<Transaction> retained = new ArrayDeque<>();
  private final List<Consumer<Segment>> readers = new ArrayList<>();
  private Transaction open;
  private long retainedBytes;
  /** Every transaction ending after this LSN is retained (or under way). */
  private long floor;
  private long serverWalEnd;
  private long nextSeq;
  private boolean closed;

  public RelayBacklog(long maxBytes) {
    this(maxBytes, null);
  }

  /** With gauges {@code slipstream_relay_backlog_bytes} and {@code slipstream_relay_backlog_transactions}. */
  public RelayBacklog(long maxBytes, MeterRegistry registry) {
    this(maxBytes, PooledByteBufAllocator.DEFAULT, registry);
  }

  RelayBacklog(long maxBytes, ByteBufAllocator allocator, MeterRegistry registry) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("the relay backlog needs a positive size: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.allocator = allocator;
    this.writer = new ChunkWriter(allocator);
    if (registry != null) {
      Gauge.builder("slipstream.relay.backlog.bytes", this, RelayBacklog::retainedBytes).baseUnit("bytes")
          .description("Bytes of committed transactions kept for followers to catch up from").register(registry);
      Gauge.builder("slipstream.relay.backlog.transactions", this, RelayBacklog::retainedTransactions)
          .description("Committed transactions kept for followers to catch up from").register(registry);
    }
  }

  @Override
  public synchronized void accept(ChangeEvent event) {
    if (closed || !progress.isNew(event.position())) {
      return;
    }
    progress.accepted(event.position());
    transaction();
    writer.event(event);
    closeFullSegment();
  }

  @Override
  public synchronized void committed(long endLsn) {
    if (closed || !progress.commitIsNew(endLsn)) {
      return;
    }
    progress.committed(endLsn);
    Transaction done = transaction();
    writer.commit(endLsn);
    emit(true, endLsn);
    open = null;
    done.endLsn = endLsn;
    if (done.dropped) {
      floor = Lsn.max(floor, endLsn);
    } else {
      retained.add(done);
    }
  }

  /**
   * Remembers the server's WAL end (for WELCOME). When the stream resumes beyond everything here,
   * what lies between is missing: the backlog starts over at {@code confirmedLsn}, and followers
   * already reading it are told of the gap.
   */
  @Override
  public synchronized void streamStartsAt(long confirmedLsn, long serverWalEnd) {
    this.serverWalEnd = Lsn.max(this.serverWalEnd, serverWalEnd);
    if (!closed && Lsn.after(confirmedLsn, progress.lastEnd())) {
      gap(confirmedLsn);
    }
  }

  /** The bound on {@link #retainedBytes()}. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The end LSN of the newest transaction here (or the point the backlog started at). */
  public synchronized long lastCommittedEndLsn() {
    return progress.lastEnd();
  }

  /** The highest server WAL end any stream start reported. */
  public synchronized long serverWalEnd() {
    return serverWalEnd;
  }

  public synchronized long retainedBytes() {
    return retainedBytes;
  }

  public synchronized int retainedTransactions() {
    return retained.size();
  }

  /** Releases every buffer; the backlog takes nothing more. */
  @Override
  public synchronized void close() {
    closed = true;
    releaseEverything();
    readers.clear();
  }

  /** Appends a chunk as received from a leader: copied as is when all of its events are new. */
  synchronized void appendReceived(ByteBuf chunk, List<ChangeEvent> events) {
    if (closed || events.isEmpty()) {
      return;
    }
    int fresh = 0;
    var last = progress.lastPosition();
    for (ChangeEvent event : events) {
      if (last == null || event.position().isAfter(last)) {
        fresh++;
        last = event.position();
      }
    }
    if (fresh < events.size()) {
      events.forEach(this::accept); // partly known (a transaction resent from its start): re-encode the rest
      return;
    }
    events.forEach(event -> progress.accepted(event.position()));
    transaction();
    writer.frames(chunk);
    closeFullSegment();
  }

  /** Nothing up to {@code lsn} will ever be here: drops everything and tells the followers reading. */
  synchronized void gap(long lsn) {
    if (closed) {
      return;
    }
    releaseEverything();
    floor = Lsn.max(floor, lsn);
    progress.skipTo(lsn);
    if (!readers.isEmpty()) {
      ByteBuf frame = Frames.lsnFrame(allocator, Frames.GAP, lsn);
      publish(new Segment(nextSeq++, frame, false, 0));
      frame.release();
    }
  }

  /**
   * Registers {@code reader} for every segment closed from now on (called under this backlog's lock:
   * it must only hand the segment over, and release it when it cannot) and returns, in the same
   * step, what comes before them for a follower whose last transaction ended at {@code fromEndLsn}
   * ({@code resuming}), or that has nothing and starts live.
   */
  synchronized Replay subscribe(boolean resuming, long fromEndLsn, Consumer<Segment> reader) {
    readers.add(reader);
    List<Segment> segments = new ArrayList<>();
    long start;
    boolean gap = false;
    if (!resuming) {
      start = progress.lastEnd();
    } else {
      gap = Lsn.after(floor, fromEndLsn);
      start = gap ? floor : fromEndLsn;
      for (Transaction transaction : retained) {
        if (gap || !Lsn.after(fromEndLsn, transaction.endLsn)) { // the follower drops what it has
          replay(transaction, true, segments);
        }
      }
    }
    long skip = -1;
    if (open != null) {
      if (open.dropped) {
        skip = open.seq;
      } else {
        replay(open, false, segments);
      }
    }
    return new Replay(start, gap, serverWalEnd, segments, skip);
  }

  synchronized void unsubscribe(Consumer<Segment> reader) {
    readers.remove(reader);
  }

  private static void replay(Transaction transaction, boolean complete, List<Segment> into) {
    for (int i = 0; i < transaction.segments.size(); i++) {
      boolean last = complete && i == transaction.segments.size() - 1;
      into.add(new Segment(transaction.seq, transaction.segments.get(i).retainedDuplicate(), last,
          last ? transaction.endLsn : 0));
    }
  }

  private Transaction transaction() {
    if (open == null) {
      open = new Transaction(nextSeq++);
    }
    return open;
  }

  private void closeFullSegment() {
    if (writer.size() >= CHUNK_BYTES) {
      emit(false, 0);
    }
  }

  /** Hands the frames written so far to the followers and keeps them, within the bound. */
  private void emit(boolean completes, long endLsn) {
    ByteBuf frames = writer.take();
    if (frames == null) {
      return;
    }
    publish(new Segment(open.seq, frames, completes, endLsn));
    if (open.dropped) {
      frames.release();
      return;
    }
    open.segments.add(frames);
    open.bytes += frames.readableBytes();
    retainedBytes += frames.readableBytes();
    evict();
  }

  private void publish(Segment segment) {
    for (Consumer<Segment> reader : readers) {
      reader.accept(new Segment(segment.seq(), segment.frames().retainedDuplicate(), segment.completes(),
          segment.endLsn()));
    }
  }

  private void evict() {
    while (retainedBytes > maxBytes && !retained.isEmpty()) {
      Transaction oldest = retained.poll();
      release(oldest);
      floor = Lsn.max(floor, oldest.endLsn);
    }
    if (retainedBytes > maxBytes && open != null) {
      release(open); // larger than the whole backlog: streamed to the followers reading, not kept
      open.dropped = true;
    }
  }

  private void releaseEverything() {
    retained.forEach(this::release);
    retained.clear();
    if (open != null) {
      release(open);
      open = null;
    }
    writer.discard();
  }

  private void release(Transaction transaction) {
    transaction.segments.forEach(ByteBuf::release);
    transaction.segments.clear();
    retainedBytes -= transaction.bytes;
    transaction.bytes = 0;
  }
}
