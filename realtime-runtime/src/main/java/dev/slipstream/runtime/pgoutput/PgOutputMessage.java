package dev.slipstream.runtime.pgoutput;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One pgoutput message, one record per message type of PostgreSQL's "Logical Replication Message
 * Formats" (protocol versions 1 to 4, without the two-phase-commit messages, which Slipstream never
 * enables).
 *
 * <p>Conventions: LSNs are {@code long}; xids are unsigned 32-bit values widened to {@code long};
 * OIDs are unsigned 32-bit values kept in an {@code int} (compare them as bits, print them with
 * {@link Integer#toUnsignedString(int)}); timestamps are the raw microseconds since 2000-01-01 UTC,
 * with an {@link Instant} accessor beside them.
 */
public sealed interface PgOutputMessage {

  /** PostgreSQL's InvalidTransactionId: a change message outside a Stream Start/Stop block. */
  long NO_XID = 0;

  /**
   * A message that may belong to a streamed in-progress transaction: inside a Stream Start/Stop
   * block (protocol 2+, streaming on) it carries that transaction's xid on the wire.
   */
  sealed interface Streamable extends PgOutputMessage
      permits Relation, Type, Insert, Update, Delete, Truncate, LogicalMessage {

    /** The streamed transaction's xid, or {@link #NO_XID} when not inside a streamed block. */
    long streamXid();

    default boolean isStreamed() {
      return streamXid() != NO_XID;
    }
  }

  /** 'B': a transaction that committed; its changes follow, then a Commit. */
  record Begin(long finalLsn, long commitTimeMicros, long xid) implements PgOutputMessage {
    public Instant commitTime() {
      return PgTimestamp.toInstant(commitTimeMicros);
    }
  }

  /**
   * 'C': the end of the transaction. {@code endLsn} is the position to confirm once it is
   * delivered; {@code flags} is currently always 0.
   */
  record Commit(int flags, long commitLsn, long endLsn, long commitTimeMicros)
      implements PgOutputMessage {
    public Instant commitTime() {
      return PgTimestamp.toInstant(commitTimeMicros);
    }
  }

  /** 'O': the transaction was replicated from another node under this origin. */
  record Origin(long originCommitLsn, String name) implements PgOutputMessage {
    public Origin {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * 'R': the schema of a table, sent before its first change in a session and again after it
   * changes. {@code namespace} is empty for {@code pg_catalog}.
   */
  record Relation(
      long streamXid,
      int relationOid,
      String namespace,
      String name,
      ReplicaIdentity replicaIdentity,
      List<RelationColumn> columns)
      implements Streamable {
    public Relation {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(replicaIdentity, "replicaIdentity");
      columns = List.copyOf(columns);
    }
  }

  /**
   * 'Y': a non-built-in data type used by the next Relation (enums, composites, domains...).
   * {@code namespace} is empty for {@code pg_catalog}.
   */
  record Type(long streamXid, int typeOid, String namespace, String name) implements Streamable {
    public Type {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }
  }

  /** 'I': a new row. */
  record Insert(long streamXid, int relationOid, TupleData newTuple) implements Streamable {
    public Insert {
      Objects.requireNonNull(newTuple, "newTuple");
    }
  }

  /**
   * 'U': a changed row. {@code oldTuple} is null when PostgreSQL sent no old row (default
   * identity and the key did not change, or identity NOTHING); see {@link OldTuple.Kind}.
   */
  record Update(long streamXid, int relationOid, OldTuple oldTuple, TupleData newTuple)
      implements Streamable {
    public Update {
      Objects.requireNonNull(newTuple, "newTuple");
    }

    public boolean hasOldTuple() {
      return oldTuple != null;
    }
  }

  /** 'D': a deleted row, identified by its key ('K') or its whole old row ('O'). */
  record Delete(long streamXid, int relationOid, OldTuple oldTuple) implements Streamable {
    public Delete {
      Objects.requireNonNull(oldTuple, "oldTuple");
    }
  }

  /** 'T': TRUNCATE of one or more published tables; {@code options} holds the raw bits. */
  record Truncate(long streamXid, int options, List<Integer> relationOids) implements Streamable {
    /** Option bit for TRUNCATE ... CASCADE. */
    public static final int CASCADE = 1;
    /** Option bit for TRUNCATE ... RESTART IDENTITY. */
    public static final int RESTART_IDENTITY = 2;

    public Truncate {
      relationOids = List.copyOf(relationOids);
    }

    public boolean cascade() {
      return (options & CASCADE) != 0;
    }

    public boolean restartIdentity() {
      return (options & RESTART_IDENTITY) != 0;
    }
  }

  /**
   * 'M': a message from {@code pg_logical_emit_message}. Called LogicalMessage, not Message,
   * because every record here is a message. Non-transactional ones arrive on their own, outside
   * Begin/Commit, as soon as they are decoded.
   */
  record LogicalMessage(
      long streamXid, boolean transactional, long lsn, String prefix, byte[] content)
      implements Streamable {
    public LogicalMessage {
      Objects.requireNonNull(prefix, "prefix");
      content = content.clone();
    }

    /** A copy of the content bytes. */
    @Override
    public byte[] content() {
      return content.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof LogicalMessage m
          && streamXid == m.streamXid
          && transactional == m.transactional
          && lsn == m.lsn
          && prefix.equals(m.prefix)
          && Arrays.equals(content, m.content);
    }

    @Override
    public int hashCode() {
      return Objects.hash(streamXid, transactional, lsn, prefix, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
      return "LogicalMessage[streamXid=" + streamXid + ", transactional=" + transactional
          + ", lsn=" + lsn + ", prefix=" + prefix + ", content=" + HexFormat.of().formatHex(content)
          + "]";
    }
  }

  /**
   * 'S': the start of a block of changes of an in-progress transaction; {@code firstSegment} is
   * true for the transaction's first block.
   */
  record StreamStart(long xid, boolean firstSegment) implements PgOutputMessage {}

  /** 'E': the end of the current streamed block. */
  record StreamStop() implements PgOutputMessage {}

  /** 'c': a streamed transaction committed; everything streamed for {@code xid} now applies. */
  record StreamCommit(long xid, int flags, long commitLsn, long endLsn, long commitTimeMicros)
      implements PgOutputMessage {
    public Instant commitTime() {
      return PgTimestamp.toInstant(commitTimeMicros);
    }
  }

  /**
   * 'A': a streamed (sub)transaction aborted; discard what was streamed for {@code subXid} (which
   * equals {@code xid} for the top-level transaction). {@code abortLsn} and
   * {@code abortTimeMicros} are on the wire only with protocol 4 and parallel streaming; otherwise
   * they are 0 and {@link #hasAbortDetails()} is false.
   */
  record StreamAbort(
      long xid, long subXid, boolean hasAbortDetails, long abortLsn, long abortTimeMicros)
      implements PgOutputMessage {
    public Instant abortTime() {
      return PgTimestamp.toInstant(abortTimeMicros);
    }

    public boolean isSubtransaction() {
      return subXid != xid;
    }
  }
}
