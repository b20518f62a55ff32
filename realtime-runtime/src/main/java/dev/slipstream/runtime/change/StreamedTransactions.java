package dev.slipstream.runtime.change;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Holds the changes of in-progress transactions that PostgreSQL streams before they commit
 * ({@code streaming=on}, protocol 2+), until Stream Commit delivers them or Stream Abort drops them.
 *
 * <p>Memory is bounded: all buffered changes together stay under {@code memoryLimitBytes}
 * (estimated). A transaction whose change would cross the bound moves to a {@link SpillFile} and
 * keeps growing on disk, so a 10-million-row transaction costs disk, not heap. Owned by the
 * replication thread.
 */
final class StreamedTransactions implements AutoCloseable {

  private final long memoryLimitBytes;
  private final Path spillDirectory;
  private final SchemaRegistry schemas = new SchemaRegistry();
  private final Map<Long, Buffer> buffers = new HashMap<>();
  private long bufferedBytes;
  private long peakBufferedBytes;
  private long spilledChanges;

  StreamedTransactions(long memoryLimitBytes, Path spillDirectory) {
    this.memoryLimitBytes = memoryLimitBytes;
    this.spillDirectory = spillDirectory;
  }

  /** Buffers one change of top-level transaction {@code xid}, made in (sub)transaction {@code subXid}. */
  void add(long xid, long subXid, PendingChange change) {
    Buffer buffer = buffers.computeIfAbsent(xid, Buffer::new);
    long size = change.estimatedBytes();
    if (buffer.spill == null && bufferedBytes + size > memoryLimitBytes) {
      buffer.spillToDisk();
    }
    if (buffer.spill != null) {
      buffer.spill.append(subXid, change);
      spilledChanges++;
    } else {
      buffer.inMemory.add(new Entry(subXid, change));
      buffer.inMemoryBytes += size;
      bufferedBytes += size;
      peakBufferedBytes = Math.max(peakBufferedBytes, bufferedBytes);
    }
  }

  /** Hands every change of the committed transaction {@code xid} to {@code consumer}, in order. */
  void commit(long xid, Consumer<PendingChange> consumer) {
    Buffer buffer = buffers.remove(xid);
    if (buffer == null) {
      return;
    }
    try {
      for (Entry entry : buffer.inMemory) {
        if (!buffer.abortedSubXids.contains(entry.subXid)) {
          consumer.accept(entry.change);
        }
      }
      if (buffer.spill != null) {
        buffer.spill.replay((subXid, change) -> {
          if (!buffer.abortedSubXids.contains(subXid)) {
            consumer.accept(change);
          }
        });
      }
    } finally {
      buffer.release();
    }
  }

  /** Drops a whole transaction ({@code subXid == xid}) or the changes of one aborted subtransaction. */
  void abort(long xid, long subXid) {
    Buffer buffer = buffers.get(xid);
    if (buffer == null) {
      return;
    }
    if (subXid == xid) {
      buffers.remove(xid);
      buffer.release();
    } else {
      buffer.abortedSubXids.add(subXid);
    }
  }

  long bufferedBytes() {
    return bufferedBytes;
  }

  long peakBufferedBytes() {
    return peakBufferedBytes;
  }

  long spilledChanges() {
    return spilledChanges;
  }

  int openTransactions() {
    return buffers.size();
  }

  @Override
  public void close() {
    buffers.values().forEach(Buffer::release);
    buffers.clear();
  }

  private record Entry(long subXid, PendingChange change) {
  }

  private final class Buffer {
    final long xid;
    final List<Entry> inMemory = new ArrayList<>();
    final Set<Long> abortedSubXids = new HashSet<>();
    long inMemoryBytes;
    SpillFile spill;

    Buffer(long xid) {
      this.xid = xid;
    }

    /** Moves what is in memory to a new spill file; later changes go straight to it. */
    void spillToDisk() {
      spill = new SpillFile(spillDirectory, xid, schemas);
      for (Entry entry : inMemory) {
        spill.append(entry.subXid, entry.change);
        spilledChanges++;
      }
      inMemory.clear();
      bufferedBytes -= inMemoryBytes;
      inMemoryBytes = 0;
    }

    void release() {
      bufferedBytes -= inMemoryBytes;
      inMemoryBytes = 0;
      inMemory.clear();
      if (spill != null) {
        spill.close();
        spill = null;
      }
    }
  }
}
