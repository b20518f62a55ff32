package dev.slipstream.runtime.change;

import static dev.slipstream.runtime.change.ChangeFixtures.describe;
import static dev.slipstream.runtime.change.ChangeFixtures.tuple;
import static dev.slipstream.runtime.change.ChangeFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

import dev.slipstream.runtime.change.ChangeEvent.DatabaseMessage;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.OldTuple;
import dev.slipstream.runtime.pgoutput.PgOutputMessage;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Begin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Commit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Delete;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Insert;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.LogicalMessage;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Relation;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamAbort;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamCommit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStart;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStop;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Truncate;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Type;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Update;
import dev.slipstream.runtime.pgoutput.PgTimestamp;
import dev.slipstream.runtime.pgoutput.RelationColumn;
import dev.slipstream.runtime.pgoutput.ReplicaIdentity;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic pgoutput messages in, committed {@link ChangeEvent}s out. */
class TransactionAssemblerTest {

  private static final int MESSAGES_OID = 16390;
  private static final int ROOMS_OID = 16400;
  private static final long NO_XID = PgOutputMessage.NO_XID;

  private static final Instant COMMIT_TIME = Instant.parse("2025-03-14T09:26:53.589793Z");
  private static final long COMMIT_MICROS = PgTimestamp.toMicros(COMMIT_TIME);
  private static final Instant RECEIVED = Instant.parse("2025-03-14T09:27:00Z");

  @TempDir
  Path spillDirectory;

  private final RecordingSink sink = new RecordingSink();
  private TransactionAssembler assembler;

  private TransactionAssembler assembler(long memoryLimitBytes) {
    assembler = new TransactionAssembler(sink, memoryLimitBytes, spillDirectory, Clock.fixed(RECEIVED, ZoneOffset.UTC));
    return assembler;
  }

  @AfterEach
  void close() {
    if (assembler != null) {
      assembler.close();
    }
  }

  // ---- message builders -------------------------------------------------------------------------

  /** {@code public.messages (id int8 key, room text, body text)}, as pgoutput describes it. */
  private static Relation messagesRelation(long streamXid) {
    return new Relation(streamXid, MESSAGES_OID, "public", "messages", ReplicaIdentity.DEFAULT, List.of(
        new RelationColumn(RelationColumn.KEY_FLAG, "id", PgType.INT8.oid(), -1),
        new RelationColumn(0, "room", PgType.TEXT.oid(), -1),
        new RelationColumn(0, "body", PgType.TEXT.oid(), -1)));
  }

  private static Relation roomsRelation() {
    return new Relation(NO_XID, ROOMS_OID, "public", "rooms", ReplicaIdentity.FULL, List.of(
        new RelationColumn(RelationColumn.KEY_FLAG, "id", PgType.INT4.oid(), -1),
        new RelationColumn(0, "name", PgType.VARCHAR.oid(), 68)));
  }

  private static Insert insert(long streamXid, String id, String room, String body) {
    return new Insert(streamXid, MESSAGES_OID, tuple(id, room, body));
  }

  private static Begin begin(long finalLsn, long xid) {
    return new Begin(finalLsn, COMMIT_MICROS, xid);
  }

  private static Commit commit(long commitLsn, long endLsn) {
    return new Commit(0, commitLsn, endLsn, COMMIT_MICROS);
  }

  private static StreamCommit streamCommit(long xid, long commitLsn, long endLsn) {
    return new StreamCommit(xid, 0, commitLsn, endLsn, COMMIT_MICROS + 1_000);
  }

  private static StreamAbort streamAbort(long xid, long subXid) {
    return new StreamAbort(xid, subXid, false, 0, 0);
  }

  private void feed(PgOutputMessage... messages) {
    for (PgOutputMessage message : messages) {
      assembler.accept(message);
    }
  }

  private List<Path> spillFiles() throws IOException {
    try (Stream<Path> files = Files.list(spillDirectory)) {
      return files.toList();
    }
  }

  // ---- ordinary transactions ------------------------------------------------------------------

  @Test
  void changesOfATransactionArePositionedAtItsCommitLsnWithItsCommitTime() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID), begin(0x16B3748L, 742), insert(NO_XID, "1", "lobby", "hello"),
        insert(NO_XID, "2", "lobby", "hi there"));
    assertThat(sink.log).containsExactly("event 00000000016B3748-0", "event 00000000016B3748-1");

    feed(commit(0x16B3748L, 0x16B3780L));

    assertThat(sink.log).containsExactly("event 00000000016B3748-0", "event 00000000016B3748-1",
        "committed 00000000016B3780");
    RowChange first = (RowChange) sink.events.getFirst();
    assertThat(first.position()).isEqualTo(new EventPosition(0x16B3748L, 0));
    assertThat(first.commitTime()).isEqualTo(COMMIT_TIME);
    assertThat(first.type()).isEqualTo(ChangeType.INSERT);
    assertThat(first.table()).isEqualTo(new TableSchema(MESSAGES_OID, "public", "messages", List.of(
        new TableSchema.Column("id", PgType.INT8, true), new TableSchema.Column("room", PgType.TEXT, false),
        new TableSchema.Column("body", PgType.TEXT, false))));
    assertThat(values(first.table(), first.record()))
        .containsExactly(entry("id", "1"), entry("room", "lobby"), entry("body", "hello"));
    assertThat(first.oldRecord()).isNull();
  }

  @Test
  void indexesStartAtZeroInEachTransaction() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID),
        begin(0x1000, 10), insert(NO_XID, "1", "a", "x"), insert(NO_XID, "2", "a", "y"), commit(0x1000, 0x1010),
        begin(0x2000, 11), insert(NO_XID, "3", "a", "z"), commit(0x2000, 0x2010));

    assertThat(sink.events).extracting(ChangeEvent::position).containsExactly(
        new EventPosition(0x1000, 0), new EventPosition(0x1000, 1), new EventPosition(0x2000, 0));
    assertThat(sink.committed).containsExactly(0x1010L, 0x2010L);
  }

  @Test
  void updateAndDeleteCarryTheirOldRows() {
    assembler(1 << 20);
    TupleData keyOnly = tuple("1", null, null);
    feed(messagesRelation(NO_XID), begin(0x3000, 12),
        new Update(NO_XID, MESSAGES_OID, null, tuple("1", "lobby", "edited")),
        new Update(NO_XID, MESSAGES_OID, new OldTuple(OldTuple.Kind.KEY, keyOnly), tuple("2", "lobby", "moved")),
        new Delete(NO_XID, MESSAGES_OID, new OldTuple(OldTuple.Kind.KEY, tuple("2", null, null))),
        commit(0x3000, 0x3040));

    List<RowChange> rows = sink.rows();
    assertThat(rows).extracting(RowChange::type)
        .containsExactly(ChangeType.UPDATE, ChangeType.UPDATE, ChangeType.DELETE);
    assertThat(rows.get(0).oldRecord()).isNull();
    assertThat(rows.get(1).oldRecord()).isEqualTo(keyOnly);
    assertThat(rows.get(1).record()).isEqualTo(tuple("2", "lobby", "moved"));
    assertThat(rows.get(2).record()).isNull();
    assertThat(rows.get(2).oldRecord()).isEqualTo(tuple("2", null, null));
  }

  @Test
  void truncateNamesEveryTableAndItsOptions() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID), roomsRelation(), begin(0x4000, 13),
        new Truncate(NO_XID, Truncate.CASCADE | Truncate.RESTART_IDENTITY, List.of(MESSAGES_OID, ROOMS_OID)),
        commit(0x4000, 0x4030));

    // One event naming both tables, or one per table: either way every table, in order, with the options.
    List<TableTruncate> truncates = sink.events.stream().map(TableTruncate.class::cast).toList();
    assertThat(truncates).flatMap(TableTruncate::tables).extracting(TableSchema::qualifiedName)
        .containsExactly("public.messages", "public.rooms");
    assertThat(truncates).extracting(ChangeEvent::position).first().isEqualTo(new EventPosition(0x4000, 0));
    assertThat(truncates).allSatisfy(truncate -> {
      assertThat(truncate.cascade()).isTrue();
      assertThat(truncate.restartIdentity()).isTrue();
    });
    assertThat(sink.committed).containsExactly(0x4030L);
  }

  @Test
  void transactionalMessageTakesItsPlaceInTheTransaction() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID), begin(0x5000, 14), insert(NO_XID, "1", "lobby", "hi"),
        new LogicalMessage(NO_XID, true, 0x4FF0, "realtime", "{\"event\":\"typing\"}".getBytes(StandardCharsets.UTF_8)),
        commit(0x5000, 0x5020));

    DatabaseMessage message = (DatabaseMessage) sink.events.get(1);
    assertThat(message.position()).isEqualTo(new EventPosition(0x5000, 1));
    assertThat(message.commitTime()).isEqualTo(COMMIT_TIME);
    assertThat(message.transactional()).isTrue();
    assertThat(message.prefix()).isEqualTo("realtime");
    assertThat(new String(message.content(), StandardCharsets.UTF_8)).isEqualTo("{\"event\":\"typing\"}");
  }

  @Test
  void nonTransactionalMessageIsDeliveredAtOnceAtItsOwnLsn() {
    assembler(1 << 20);
    feed(new LogicalMessage(NO_XID, false, 0x6000, "heartbeat", new byte[] {1, 2, 3}));

    // Committed at its own LSN: every transaction before it went out, so the slot may move up to it
    // (a heartbeat on an idle database moves the slot this way).
    assertThat(sink.log).containsExactly("event 0000000000006000-0", "committed 0000000000006000");
    DatabaseMessage message = (DatabaseMessage) sink.events.getFirst();
    assertThat(message.transactional()).isFalse();
    assertThat(message.commitTime()).isEqualTo(RECEIVED);
    assertThat(message.prefix()).isEqualTo("heartbeat");
    assertThat(message.content()).containsExactly(1, 2, 3);
  }

  @Test
  void nonTransactionalMessageInsideAStreamedBlockIsNotHeldBack() {
    assembler(1 << 20);
    feed(new StreamStart(900, true), messagesRelation(900), insert(900, "1", "lobby", "big"),
        new LogicalMessage(900, false, 0x6100, "heartbeat", new byte[0]));

    // The streamed transaction commits later, at a higher LSN: moving the slot to the message keeps it.
    assertThat(sink.log).containsExactly("event 0000000000006100-0", "committed 0000000000006100");

    feed(new StreamStop(), streamCommit(900, 0x7000, 0x7040));

    assertThat(sink.log).containsExactly("event 0000000000006100-0", "committed 0000000000006100",
        "event 0000000000007000-0", "committed 0000000000007040");
  }

  // ---- relation and type caches ---------------------------------------------------------------

  @Test
  void aNewRelationReplacesTheTableForLaterChangesOnly() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID), begin(0x1000, 20), insert(NO_XID, "1", "lobby", "before"), commit(0x1000, 0x1010));
    Relation altered = new Relation(NO_XID, MESSAGES_OID, "public", "messages", ReplicaIdentity.DEFAULT, List.of(
        new RelationColumn(RelationColumn.KEY_FLAG, "id", PgType.INT8.oid(), -1),
        new RelationColumn(0, "room", PgType.TEXT.oid(), -1),
        new RelationColumn(0, "body", PgType.TEXT.oid(), -1),
        new RelationColumn(0, "edited_at", PgType.TIMESTAMPTZ.oid(), -1)));
    feed(altered, begin(0x2000, 21), new Insert(NO_XID, MESSAGES_OID, tuple("2", "lobby", "after", "2025-03-14 09:26:53+00")),
        commit(0x2000, 0x2010));

    RowChange before = sink.rows().get(0);
    RowChange after = sink.rows().get(1);
    assertThat(before.table().columns()).extracting(TableSchema.Column::name).containsExactly("id", "room", "body");
    assertThat(after.table().columns()).extracting(TableSchema.Column::name)
        .containsExactly("id", "room", "body", "edited_at");
    assertThat(after.table().columns().get(3).type()).isSameAs(PgType.TIMESTAMPTZ);
    assertThat(values(after.table(), after.record())).containsEntry("edited_at", "2025-03-14 09:26:53+00");
  }

  @Test
  void typeMessagesNameUserDefinedColumnTypes() {
    assembler(1 << 20);
    int moodOid = 16385;
    int unannouncedOid = 99_999;
    feed(new Type(NO_XID, moodOid, "public", "mood"),
        new Relation(NO_XID, 16410, "", "pg_settings_copy", ReplicaIdentity.NOTHING, List.of(
            new RelationColumn(0, "feeling", moodOid, -1),
            new RelationColumn(0, "mystery", unannouncedOid, -1))),
        begin(0x1000, 22), new Insert(NO_XID, 16410, tuple("happy", "x")), commit(0x1000, 0x1010));

    TableSchema table = sink.rows().getFirst().table();
    assertThat(table.schema()).isEqualTo("pg_catalog");
    assertThat(table.columns().get(0).type().name()).isEqualTo("mood");
    assertThat(table.columns().get(0).type().namespace()).isEqualTo("public");
    assertThat(table.columns().get(0).type().oid()).isEqualTo(moodOid);
    assertThat(table.columns().get(1).type().name()).isEqualTo("oid 99999");
    assertThat(table.columns().get(1).type().rendering()).isEqualTo(PgType.Rendering.STRING);
  }

  @Test
  void aChangeBeforeItsRelationIsAClearError() {
    assembler(1 << 20);
    feed(begin(0x1000, 23));

    assertThatIllegalStateException().isThrownBy(() -> feed(new Insert(NO_XID, 0xFFFFFFF0, tuple("1"))))
        .withMessage("change for relation 4294967280 before its Relation message");
    assertThatIllegalStateException().isThrownBy(() -> feed(new Truncate(NO_XID, 0, List.of(MESSAGES_OID))))
        .withMessage("change for relation 16390 before its Relation message");
  }

  @Test
  void aChangeOutsideAnyTransactionIsAClearError() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID));

    assertThatIllegalStateException().isThrownBy(() -> feed(insert(NO_XID, "1", "lobby", "hi")))
        .withMessageStartingWith("a change arrived outside any transaction: ");
    assertThat(sink.events).isEmpty();
  }

  // ---- streamed transactions ------------------------------------------------------------------

  @Test
  void streamedTransactionIsHeldUntilStreamCommitThenEmittedInOrderAtItsCommitLsn() {
    assembler(1 << 20);
    feed(new StreamStart(900, true), messagesRelation(900), insert(900, "1", "lobby", "one"),
        insert(900, "2", "lobby", "two"), new StreamStop(),
        new StreamStart(900, false), insert(900, "3", "lobby", "three"), new StreamStop());
    assertThat(sink.log).isEmpty();
    assertThat(assembler.streamedBytesInMemory()).isPositive();

    feed(streamCommit(900, 0x9000, 0x9048));

    assertThat(sink.log).containsExactly("event 0000000000009000-0", "event 0000000000009000-1",
        "event 0000000000009000-2", "committed 0000000000009048");
    assertThat(sink.rows()).extracting(row -> values(row.table(), row.record()).get("body"))
        .containsExactly("one", "two", "three");
    assertThat(sink.events).extracting(ChangeEvent::commitTime).containsOnly(COMMIT_TIME.plusMillis(1));
    assertThat(assembler.streamedBytesInMemory()).isZero();
    assertThat(assembler.spilledChanges()).isZero();
  }

  @Test
  void interleavedStreamedTransactionsAndAnOrdinaryOneKeepCommitOrder() {
    assembler(1 << 20);
    feed(messagesRelation(NO_XID),
        new StreamStart(900, true), insert(900, "1", "a", "900-first"), new StreamStop(),
        new StreamStart(901, true), insert(901, "2", "b", "901-first"), new StreamStop(),
        begin(0x8000, 902), insert(NO_XID, "3", "c", "902"), commit(0x8000, 0x8010),
        new StreamStart(900, false), insert(900, "4", "a", "900-second"), new StreamStop(),
        streamCommit(901, 0x8100, 0x8110),
        streamCommit(900, 0x8200, 0x8210));

    assertThat(sink.log).containsExactly(
        "event 0000000000008000-0", "committed 0000000000008010",
        "event 0000000000008100-0", "committed 0000000000008110",
        "event 0000000000008200-0", "event 0000000000008200-1", "committed 0000000000008210");
    assertThat(sink.rows()).extracting(row -> values(row.table(), row.record()).get("body"))
        .containsExactly("902", "901-first", "900-first", "900-second");
  }

  @Test
  void streamAbortOfTheWholeTransactionDropsEverything() throws IOException {
    assembler(1 << 20);
    feed(new StreamStart(900, true), messagesRelation(900), insert(900, "1", "lobby", "one"),
        insert(900, "2", "lobby", "two"), new StreamStop(), streamAbort(900, 900));

    feed(streamCommit(900, 0x9000, 0x9048));

    assertThat(sink.events).isEmpty();
    assertThat(sink.committed).containsExactly(0x9048L);
    assertThat(assembler.streamedBytesInMemory()).isZero();
    assertThat(spillFiles()).isEmpty();
  }

  @Test
  void streamAbortOfASubtransactionDropsOnlyItsChanges() {
    assembler(1 << 20);
    feed(new StreamStart(900, true), messagesRelation(900),
        insert(900, "1", "lobby", "top"),
        insert(901, "2", "lobby", "savepoint-rolled-back"),
        insert(902, "3", "lobby", "savepoint-kept"), new StreamStop(),
        streamAbort(900, 901),
        new StreamStart(900, false), insert(900, "4", "lobby", "after"), new StreamStop(),
        streamCommit(900, 0x9000, 0x9048));

    assertThat(sink.rows()).extracting(row -> values(row.table(), row.record()).get("body"))
        .containsExactly("top", "savepoint-kept", "after");
    assertThat(sink.events).extracting(ChangeEvent::position).containsExactly(
        new EventPosition(0x9000, 0), new EventPosition(0x9000, 1), new EventPosition(0x9000, 2));
  }

  @Test
  void aTinyMemoryLimitSpillsAndReplaysTheSameEvents() throws IOException {
    List<PgOutputMessage> messages = bigStreamedTransaction();
    List<String> inMemory = assembleWith(1 << 30, messages);
    assertThat(sink.spilled).isZero();
    // 150 changes less the 20 of the aborted subtransaction, 30 more inserts, and the truncate.
    assertThat(inMemory).filteredOn(event -> !event.contains(" TRUNCATE ")).hasSize(160);
    assertThat(inMemory).filteredOn(event -> event.contains(" TRUNCATE ")).isNotEmpty();

    for (long limit : new long[] {0, 1, 700}) {
      List<String> spilled = assembleWith(limit, messages);

      assertThat(spilled).as("events with a %d-byte limit", limit).containsExactlyElementsOf(inMemory);
      assertThat(sink.spilled).as("spilled changes with a %d-byte limit", limit).isPositive();
      assertThat(sink.peakInMemory).as("peak bytes in memory with a %d-byte limit", limit)
          .isLessThanOrEqualTo(limit);
      if (limit == 700) {
        // The first few changes fit: this transaction starts in memory and moves to disk midway.
        assertThat(sink.peakInMemory).isPositive();
      }
    }
  }

  @Test
  void aSpilledTransactionLivesOnDiskUntilItCommits() throws IOException {
    assembler(0);
    feed(new StreamStart(900, true), messagesRelation(900), insert(900, "1", "lobby", "x".repeat(10_000)),
        new StreamStop());

    assertThat(assembler.spilledChanges()).isEqualTo(1);
    assertThat(assembler.streamedBytesInMemory()).isZero();
    assertThat(spillFiles()).hasSize(1);
    assertThat(spillFiles().getFirst().getFileName().toString()).startsWith("xid-900-").endsWith(".spill");

    feed(streamCommit(900, 0x9000, 0x9048));

    assertThat(spillFiles()).isEmpty();
    assertThat(values(sink.rows().getFirst().table(), sink.rows().getFirst().record()).get("body"))
        .hasSize(10_000);
  }

  @Test
  void anAbortedSpilledTransactionLeavesNoFile() throws IOException {
    assembler(0);
    feed(new StreamStart(900, true), messagesRelation(900), insert(900, "1", "lobby", "big"), new StreamStop());
    assertThat(spillFiles()).hasSize(1);

    feed(streamAbort(900, 900));

    assertThat(spillFiles()).isEmpty();
    assertThat(sink.events).isEmpty();
  }

  @Test
  void closeDeletesTheSpillFilesOfOpenTransactions() throws IOException {
    assembler(0);
    feed(new StreamStart(900, true), messagesRelation(900), insert(900, "1", "lobby", "big"), new StreamStop(),
        new StreamStart(901, true), insert(901, "2", "lobby", "big"), new StreamStop());
    assertThat(spillFiles()).hasSize(2);

    assembler.close();

    assertThat(spillFiles()).isEmpty();
  }

  /**
   * One streamed transaction of 160 changes in three blocks, with every kind of change and value:
   * text (multi-byte too), NULL, unchanged TOAST and binary values, key-only and full old rows, a
   * truncate, transactional messages, and a subtransaction that aborts midway, then the commit.
   */
  private static List<PgOutputMessage> bigStreamedTransaction() {
    List<PgOutputMessage> messages = new ArrayList<>();
    messages.add(new StreamStart(900, true));
    messages.add(messagesRelation(900));
    messages.add(roomsRelation());
    for (int i = 0; i < 150; i++) {
      if (i == 50 || i == 100) {
        messages.add(new StreamStop());
        messages.add(new StreamStart(900, false));
      }
      long subXid = i >= 60 && i < 80 ? 905 : 900 + i % 3;
      String id = Integer.toString(i);
      messages.add(switch (i % 5) {
        case 0 -> insert(subXid, id, "lobby", "héllo wörld " + i);
        case 1 -> new Update(subXid, MESSAGES_OID, new OldTuple(OldTuple.Kind.KEY, tuple(id, null, null)),
            tuple(id, null, ColumnValue.UNCHANGED_TOAST));
        case 2 -> new Insert(subXid, ROOMS_OID, tuple(id, new ColumnValue.Binary(new byte[] {0, (byte) i, -1})));
        case 3 -> new Delete(subXid, ROOMS_OID, new OldTuple(OldTuple.Kind.FULL, tuple(id, "room " + i)));
        default -> new LogicalMessage(subXid, true, 0x100 + i, "realtime", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
      });
    }
    messages.add(new Truncate(902, Truncate.RESTART_IDENTITY, List.of(ROOMS_OID, MESSAGES_OID)));
    for (int i = 150; i < 180; i++) {
      messages.add(insert(900, Integer.toString(i), "kitchen", ""));
    }
    messages.add(new StreamStop());
    messages.add(streamAbort(900, 905));
    messages.add(streamCommit(900, 0xA000, 0xA0F0));
    return messages;
  }

  /** The events (described) an assembler with the given memory limit makes of the messages. */
  private List<String> assembleWith(long memoryLimitBytes, List<PgOutputMessage> messages) throws IOException {
    sink.clear();
    try (TransactionAssembler fresh = new TransactionAssembler(sink, memoryLimitBytes, spillDirectory,
        Clock.fixed(RECEIVED, ZoneOffset.UTC))) {
      messages.forEach(fresh::accept);
      sink.spilled = fresh.spilledChanges();
      sink.peakInMemory = fresh.peakStreamedBytesInMemory();
      assertThat(fresh.streamedBytesInMemory()).isZero();
    }
    assertThat(spillFiles()).isEmpty();
    assertThat(sink.committed).containsExactly(0xA0F0L);
    return sink.events.stream().map(ChangeFixtures::describe).toList();
  }

  /** Records what the assembler hands on, and in which order events and commits came. */
  static final class RecordingSink implements ChangeSink {
    final List<ChangeEvent> events = new ArrayList<>();
    final List<Long> committed = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    long spilled;
    long peakInMemory;

    @Override
    public void accept(ChangeEvent event) {
      events.add(event);
      log.add("event " + event.position());
    }

    @Override
    public void committed(long endLsn) {
      committed.add(endLsn);
      log.add(String.format("committed %016X", endLsn));
    }

    List<RowChange> rows() {
      return events.stream().filter(RowChange.class::isInstance).map(RowChange.class::cast).toList();
    }

    void clear() {
      events.clear();
      committed.clear();
      log.clear();
    }
  }

  @Test
  void describedEventsShowTypesAndValues() {
    // Guards the comparison above: describe() must see a difference in a value or a column type.
    TableSchema a = ChangeFixtures.table(1, "public", "t", ChangeFixtures.key("id", PgType.INT8));
    TableSchema b = ChangeFixtures.table(1, "public", "t", ChangeFixtures.key("id", PgType.INT4));
    EventPosition position = new EventPosition(1, 0);

    assertThat(describe(ChangeFixtures.insert(position, a, tuple("1"))))
        .isNotEqualTo(describe(ChangeFixtures.insert(position, b, tuple("1"))))
        .isNotEqualTo(describe(ChangeFixtures.insert(position, a, tuple("2"))))
        .isNotEqualTo(describe(ChangeFixtures.insert(position, a, tuple((Object) null))))
        .isNotEqualTo(describe(ChangeFixtures.insert(position, a, tuple(ColumnValue.UNCHANGED_TOAST))));
  }
}
