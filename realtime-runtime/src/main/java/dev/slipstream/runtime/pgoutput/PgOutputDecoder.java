package dev.slipstream.runtime.pgoutput;

import dev.slipstream.runtime.pgoutput.PgOutputMessage.Begin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Commit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Delete;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Insert;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.LogicalMessage;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Origin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Relation;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamAbort;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamCommit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStart;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStop;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Truncate;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Type;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Update;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes pgoutput messages, one call per message, in the order the server sent them.
 *
 * <p>Dispatches on the first byte and reads each message's fields in wire order; each field's
 * comment quotes "Logical Replication Message Formats"
 * (https://www.postgresql.org/docs/17/protocol-logicalrep-message-formats.html). Change tuples
 * are read by {@link TupleDataReader}.
 *
 * <p>The decoder is stateful in one respect, as the protocol requires: between Stream Start and
 * Stream Stop, Relation, Type, Insert, Update, Delete, Truncate and Message carry an extra xid
 * field, so the decoder remembers whether it is inside such a block. That state changes only when
 * a message decodes completely, so a rejected message leaves the decoder as it was; the stream
 * itself is still not to be trusted after a {@link PgOutputDecodeException}: reconnect with a new
 * decoder. Use one decoder per replication connection, from one thread.
 *
 * <p>Strictness, so drift shows up as an error rather than as wrong data:
 * <ul>
 *   <li>bytes left over after a message's last field are an error, since a longer message means
 *       a format we did not negotiate;
 *   <li>unknown message types, and the two-phase-commit messages (Slipstream never sets
 *       {@code two_phase}), are errors naming the byte;
 *   <li>stream messages without negotiated streaming, Begin/Commit/Stream Commit/Stream Abort
 *       inside a streamed block, and a nested Stream Start or a stray Stream Stop are errors.
 * </ul>
 */
public final class PgOutputDecoder {

  private final int protocolVersion;
  private final StreamingMode streaming;
  private boolean inStreamedBlock;

  /**
   * @param protocolVersion the {@code proto_version} sent to pgoutput, 1 to 4
   * @param streaming the {@code streaming} option sent to pgoutput
   * @throws IllegalArgumentException for a version PostgreSQL would refuse with that mode
   */
  public PgOutputDecoder(int protocolVersion, StreamingMode streaming) {
    Objects.requireNonNull(streaming, "streaming");
    if (protocolVersion < 1 || protocolVersion > 4) {
      throw new IllegalArgumentException("pgoutput protocol version must be 1 to 4, was "
          + protocolVersion);
    }
    if (protocolVersion < streaming.minimumProtocolVersion()) {
      throw new IllegalArgumentException("streaming=" + streaming.optionValue()
          + " needs pgoutput protocol version " + streaming.minimumProtocolVersion()
          + " or later, was " + protocolVersion);
    }
    this.protocolVersion = protocolVersion;
    this.streaming = streaming;
  }

  public int protocolVersion() {
    return protocolVersion;
  }

  public StreamingMode streaming() {
    return streaming;
  }

  /** Whether the last message decoded was a Stream Start not yet closed by a Stream Stop. */
  public boolean inStreamedBlock() {
    return inStreamedBlock;
  }

  /** Decodes the bytes between the buffer's position and limit; the buffer is not moved. */
  public PgOutputMessage decode(ByteBuffer message) {
    return decode(new PgOutputReader(message));
  }

  public PgOutputMessage decode(byte[] message) {
    return decode(PgOutputReader.of(message));
  }

  private PgOutputMessage decode(PgOutputReader in) {
    int type = in.readByte("message type byte");
    in.describeAs(MessageTypes.describe(type));
    PgOutputMessage message = switch (type) {
      case 'B' -> begin(in);
      case 'C' -> commit(in);
      case 'O' -> origin(in);
      case 'R' -> relation(in);
      case 'Y' -> type(in);
      case 'I' -> insert(in);
      case 'U' -> update(in);
      case 'D' -> delete(in);
      case 'T' -> truncate(in);
      case 'M' -> logicalMessage(in);
      case 'S' -> streamStart(in);
      case 'E' -> streamStop(in);
      case 'c' -> streamCommit(in);
      case 'A' -> streamAbort(in);
      default -> throw in.errorAt(0, MessageTypes.whyUnsupported(type));
    };
    in.requireEnd();
    if (message instanceof StreamStart) {
      inStreamedBlock = true;
    } else if (message instanceof StreamStop) {
      inStreamedBlock = false;
    }
    return message;
  }

  private Begin begin(PgOutputReader in) {
    requireOutsideStreamedBlock(in);
    long finalLsn = in.readInt64("final LSN"); // Int64 (XLogRecPtr): the final LSN of the transaction.
    long commitTime = in.readInt64("commit timestamp"); // Int64 (TimestampTz): commit timestamp.
    long xid = in.readUnsignedInt32("xid"); // Int32 (TransactionId): xid of the transaction.
    return new Begin(finalLsn, commitTime, xid);
  }

  private Commit commit(PgOutputReader in) {
    requireOutsideStreamedBlock(in);
    int flags = in.readByte("flags"); // Int8(0): flags; currently unused.
    long commitLsn = in.readInt64("commit LSN"); // Int64 (XLogRecPtr): the LSN of the commit.
    long endLsn = in.readInt64("end LSN"); // Int64 (XLogRecPtr): the end LSN of the transaction.
    long commitTime = in.readInt64("commit timestamp"); // Int64 (TimestampTz): commit timestamp.
    return new Commit(flags, commitLsn, endLsn, commitTime);
  }

  private Origin origin(PgOutputReader in) {
    long lsn = in.readInt64("origin commit LSN"); // Int64 (XLogRecPtr): commit LSN on the origin.
    String name = in.readString("origin name"); // String: name of the origin.
    return new Origin(lsn, name);
  }

  private Relation relation(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int oid = in.readInt32("relation OID"); // Int32 (Oid): OID of the relation.
    String namespace = in.readString("namespace"); // String: namespace ("" for pg_catalog).
    String name = in.readString("relation name"); // String: relation name.
    int identityOffset = in.offset();
    int identityCode = in.readByte("replica identity"); // Int8: replica identity (relreplident).
    ReplicaIdentity identity = ReplicaIdentity.fromCode(identityCode).orElseThrow(
        () -> in.errorAt(identityOffset, "unknown replica identity " + MessageTypes.quote(identityCode)));
    // Int16: number of columns; each column is at least Int8 + "" + Int32 + Int32 = 10 bytes.
    int count = in.readCount16("column count", 10);
    List<RelationColumn> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String column = "column " + i + " ";
      int flags = in.readByte(column + "flags"); // Int8: flags; 1 marks a key column.
      String columnName = in.readString(column + "name"); // String: name of the column.
      int typeOid = in.readInt32(column + "type OID"); // Int32 (Oid): OID of the data type.
      int typeModifier = in.readInt32(column + "type modifier"); // Int32: atttypmod.
      columns.add(new RelationColumn(flags, columnName, typeOid, typeModifier));
    }
    return new Relation(xid, oid, namespace, name, identity, columns);
  }

  private Type type(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int oid = in.readInt32("type OID"); // Int32 (Oid): OID of the data type.
    String namespace = in.readString("namespace"); // String: namespace ("" for pg_catalog).
    String name = in.readString("type name"); // String: name of the data type.
    return new Type(xid, oid, namespace, name);
  }

  private Insert insert(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int oid = in.readInt32("relation OID"); // Int32 (Oid): OID of the relation.
    int markerOffset = in.offset();
    int marker = in.readByte("new tuple marker"); // Byte1('N'): a new tuple follows.
    if (marker != 'N') {
      throw in.errorAt(markerOffset, "expected new tuple marker 'N', found " + MessageTypes.quote(marker));
    }
    return new Insert(xid, oid, TupleDataReader.read(in, "new tuple")); // TupleData.
  }

  private Update update(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int oid = in.readInt32("relation OID"); // Int32 (Oid): OID of the relation.
    // Byte1('K') or Byte1('O'), optional: an old key or old row TupleData follows.
    int markerOffset = in.offset();
    int marker = in.readByte("tuple marker");
    OldTuple old = null;
    if (marker == 'K' || marker == 'O') {
      old = TupleDataReader.readOld(in, marker);
      markerOffset = in.offset();
      marker = in.readByte("new tuple marker"); // Byte1('N'): the new tuple follows.
      if (marker != 'N') {
        throw in.errorAt(markerOffset, "expected new tuple marker 'N' after the old tuple, found "
            + MessageTypes.quote(marker));
      }
    } else if (marker != 'N') {
      throw in.errorAt(markerOffset, "expected tuple marker 'K', 'O' or 'N', found "
          + MessageTypes.quote(marker));
    }
    return new Update(xid, oid, old, TupleDataReader.read(in, "new tuple")); // TupleData.
  }

  private Delete delete(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int oid = in.readInt32("relation OID"); // Int32 (Oid): OID of the relation.
    int markerOffset = in.offset();
    int marker = in.readByte("old tuple marker"); // Byte1('K') or Byte1('O'), then TupleData.
    if (marker != 'K' && marker != 'O') {
      throw in.errorAt(markerOffset, "expected old tuple marker 'K' or 'O', found "
          + MessageTypes.quote(marker));
    }
    return new Delete(xid, oid, TupleDataReader.readOld(in, marker));
  }

  private Truncate truncate(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int count = in.readCount32("relation count", 4); // Int32: number of relations.
    int options = in.readByte("options"); // Int8: option bits, 1 CASCADE, 2 RESTART IDENTITY.
    List<Integer> oids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      oids.add(in.readInt32("relation OID " + i)); // Int32 (Oid): OID of the relation.
    }
    return new Truncate(xid, options, oids);
  }

  private LogicalMessage logicalMessage(PgOutputReader in) {
    long xid = streamXid(in); // Int32 (TransactionId): xid, only in streamed transactions (v2+).
    int flagsOffset = in.offset();
    int flags = in.readByte("flags"); // Int8: 0, or 1 if the message is transactional.
    if (flags > 1) {
      throw in.errorAt(flagsOffset, "flags " + flags + " are neither 0 nor 1");
    }
    long lsn = in.readInt64("message LSN"); // Int64 (XLogRecPtr): LSN of the message.
    String prefix = in.readString("prefix"); // String: the prefix.
    byte[] content = in.readLengthPrefixedBytes("content"); // Int32 length, Byten content.
    return new LogicalMessage(xid, flags == 1, lsn, prefix, content);
  }

  private StreamStart streamStart(PgOutputReader in) {
    requireStreaming(in);
    if (inStreamedBlock) {
      throw in.errorAt(0, "Stream Start inside a streamed block that has not been stopped");
    }
    long xid = in.readUnsignedInt32("xid"); // Int32 (TransactionId): xid of the transaction.
    int firstOffset = in.offset();
    int first = in.readByte("first segment flag"); // Int8: 1 for the first segment, else 0.
    if (first > 1) {
      throw in.errorAt(firstOffset, "first segment flag " + first + " is neither 0 nor 1");
    }
    return new StreamStart(xid, first == 1);
  }

  private StreamStop streamStop(PgOutputReader in) {
    requireStreaming(in);
    if (!inStreamedBlock) {
      throw in.errorAt(0, "Stream Stop outside a streamed block");
    }
    return new StreamStop(); // No fields.
  }

  private StreamCommit streamCommit(PgOutputReader in) {
    requireStreaming(in);
    requireOutsideStreamedBlock(in);
    long xid = in.readUnsignedInt32("xid"); // Int32 (TransactionId): xid of the transaction.
    int flags = in.readByte("flags"); // Int8(0): flags; currently unused.
    long commitLsn = in.readInt64("commit LSN"); // Int64 (XLogRecPtr): the LSN of the commit.
    long endLsn = in.readInt64("end LSN"); // Int64 (XLogRecPtr): the end LSN of the transaction.
    long commitTime = in.readInt64("commit timestamp"); // Int64 (TimestampTz): commit timestamp.
    return new StreamCommit(xid, flags, commitLsn, endLsn, commitTime);
  }

  private StreamAbort streamAbort(PgOutputReader in) {
    requireStreaming(in);
    requireOutsideStreamedBlock(in);
    long xid = in.readUnsignedInt32("xid"); // Int32 (TransactionId): xid of the transaction.
    long subXid = in.readUnsignedInt32("subtransaction xid"); // Int32: = xid for top level.
    if (protocolVersion < 4 || streaming != StreamingMode.PARALLEL) {
      return new StreamAbort(xid, subXid, false, 0, 0);
    }
    // Only with protocol 4 and streaming=parallel (PostgreSQL 16+):
    long abortLsn = in.readInt64("abort LSN"); // Int64 (XLogRecPtr): the LSN of the abort.
    long abortTime = in.readInt64("abort timestamp"); // Int64 (TimestampTz): abort timestamp.
    return new StreamAbort(xid, subXid, true, abortLsn, abortTime);
  }

  /** The extra xid of a change inside a streamed block, or NO_XID outside one. */
  private long streamXid(PgOutputReader in) {
    if (!inStreamedBlock) {
      return PgOutputMessage.NO_XID;
    }
    long xid = in.readUnsignedInt32("streamed transaction xid");
    if (xid == PgOutputMessage.NO_XID) {
      throw in.errorAt(in.offset() - 4, "streamed transaction xid is 0 (InvalidTransactionId)");
    }
    return xid;
  }

  private void requireStreaming(PgOutputReader in) {
    if (streaming == StreamingMode.OFF) {
      throw in.errorAt(0, "stream message received but streaming was not negotiated");
    }
  }

  private void requireOutsideStreamedBlock(PgOutputReader in) {
    if (inStreamedBlock) {
      throw in.errorAt(0, "not allowed between Stream Start and Stream Stop");
    }
  }
}
