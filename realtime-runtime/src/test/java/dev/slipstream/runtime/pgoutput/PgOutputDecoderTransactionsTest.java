package dev.slipstream.runtime.pgoutput;

import static dev.slipstream.runtime.pgoutput.ColumnValue.NULL;
import static dev.slipstream.runtime.pgoutput.Decoded.assertPlausibleTime;
import static dev.slipstream.runtime.pgoutput.Decoded.text;
import static dev.slipstream.runtime.pgoutput.Decoded.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Streamable;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Truncate;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Type;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Update;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transaction framing, logical messages, origins and streamed transactions, from real bytes. */
class PgOutputDecoderTransactionsTest {

  @Test
  void logicalMessagesInsideAndOutsideTransactions() {
    Decoded decoded = Decoded.fixture("logical-message");
    assertThat(decoded.types()).containsExactly("Begin", "LogicalMessage", "LogicalMessage",
        "Commit", "LogicalMessage");
    Commit commit = decoded.get(3, Commit.class);

    LogicalMessage json = decoded.get(1, LogicalMessage.class);
    assertThat(json.transactional()).isTrue();
    assertThat(json.prefix()).isEqualTo("slipstream");
    assertThat(new String(json.content(), StandardCharsets.UTF_8)).isEqualTo("{\"hello\":\"world\"}");
    assertThat(json.lsn()).isPositive().isLessThanOrEqualTo(commit.commitLsn());

    LogicalMessage bytes = decoded.get(2, LogicalMessage.class);
    assertThat(bytes.prefix()).isEqualTo("bytes");
    assertThat(bytes.content()).containsExactly(0x00, 0xff);

    // Non-transactional: on its own after the Commit, no Begin of its own.
    LogicalMessage alone = decoded.get(4, LogicalMessage.class);
    assertThat(alone.transactional()).isFalse();
    assertThat(alone.streamXid()).isEqualTo(PgOutputMessage.NO_XID);
    assertThat(new String(alone.content(), StandardCharsets.UTF_8)).isEqualTo("non-transactional");
    assertThat(alone.lsn()).isGreaterThan(commit.commitLsn());
  }

  @Test
  void originFollowsBeginAndItsTimestampBecomesTheCommitTime() {
    Decoded decoded = Decoded.fixture("origin");
    assertThat(decoded.types()).containsExactly("Begin", "Origin", "Relation", "Insert", "Commit");

    // Both set by pg_replication_origin_xact_setup('0/1234ABCD', '2024-01-02 03:04:05+00').
    assertThat(decoded.get(1, Origin.class)).isEqualTo(new Origin(0x1234ABCDL, "upstream"));
    Instant originTime = Instant.parse("2024-01-02T03:04:05Z");
    assertThat(decoded.get(0, Begin.class).commitTime()).isEqualTo(originTime);
    assertThat(decoded.get(4, Commit.class).commitTime()).isEqualTo(originTime);
    assertThat(decoded.get(3, Insert.class).newTuple())
        .isEqualTo(tuple(text("7"), text("replicated"), NULL, NULL, text("0")));
  }

  @Test
  void streamedTransactionCarriesItsXidOnEveryChangeInsideTheBlocks() {
    PgOutputFixture fixture = PgOutputFixture.load("streamed");
    PgOutputDecoder decoder = fixture.decoder();
    Decoded decoded = new Decoded(fixture.messages().stream().map(decoder::decode).toList());
    assertThat(decoder.inStreamedBlock()).isFalse();

    StreamStart first = decoded.get(0, StreamStart.class);
    assertThat(first.firstSegment()).isTrue();
    long xid = first.xid();
    assertThat(decoded.all(StreamStart.class)).hasSizeGreaterThan(2)
        .allSatisfy(start -> assertThat(start.xid()).isEqualTo(xid))
        .filteredOn(StreamStart::firstSegment).containsExactly(first);
    assertThat(decoded.all(StreamStop.class)).hasSameSizeAs(decoded.all(StreamStart.class));
    assertThat(decoded.all(Streamable.class))
        .allSatisfy(change -> assertThat(change.streamXid()).isEqualTo(xid));
    assertThat(decoded.all(Begin.class)).isEmpty();
    assertThat(decoded.all(Commit.class)).isEmpty();

    assertThat(decoded.all(LogicalMessage.class)).singleElement().satisfies(message -> {
      assertThat(message.transactional()).isTrue();
      assertThat(new String(message.content(), StandardCharsets.UTF_8)).isEqualTo("inside stream");
    });
    assertThat(decoded.all(Update.class)).singleElement().satisfies(update ->
        assertThat(update.newTuple())
            .isEqualTo(tuple(text("4"), text("streamed"), text("2.00"), NULL, text("0"))));
    assertThat(decoded.all(Delete.class)).singleElement().satisfies(delete ->
        assertThat(delete.oldTuple().tuple()).isEqualTo(tuple(text("1"), NULL)));
    assertThat(decoded.all(Type.class)).singleElement()
        .satisfies(type -> assertThat(type.name()).isEqualTo("mood"));
    assertThat(decoded.all(Truncate.class)).singleElement()
        .satisfies(truncate -> assertThat(truncate.relationOids()).hasSize(1));
    assertThat(decoded.all(Relation.class)).extracting(Relation::name)
        .containsExactly("bulk", "orders", "moods", "order_audit");

    StreamCommit commit = decoded.get(decoded.messages().size() - 1, StreamCommit.class);
    assertThat(commit.xid()).isEqualTo(xid);
    assertThat(commit.flags()).isZero();
    assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
    assertPlausibleTime(commit.commitTime());
  }

  @Test
  void savepointRollbackInAStreamedTransactionAbortsOnlyTheSubtransaction() {
    Decoded decoded = Decoded.fixture("stream-abort-subtransaction");
    long xid = decoded.get(0, StreamStart.class).xid();

    StreamAbort abort = decoded.all(StreamAbort.class).getFirst();
    assertThat(abort.xid()).isEqualTo(xid);
    assertThat(abort.subXid()).isGreaterThan(xid);
    assertThat(abort.isSubtransaction()).isTrue();
    assertThat(abort.hasAbortDetails()).isFalse();
    // The transaction goes on after the abort and commits.
    assertThat(decoded.all(StreamCommit.class)).singleElement()
        .satisfies(commit -> assertThat(commit.xid()).isEqualTo(xid));
    assertThat(decoded.all(Insert.class).getLast().newTuple())
        .isEqualTo(tuple(text("20000"), text("after rollback")));
  }

  @Test
  void rolledBackStreamedTransactionEndsWithAStreamAbortOfTheTopLevel() {
    Decoded decoded = Decoded.fixture("stream-abort");
    long xid = decoded.get(0, StreamStart.class).xid();

    StreamAbort abort = decoded.get(decoded.messages().size() - 1, StreamAbort.class);
    assertThat(abort).isEqualTo(new StreamAbort(xid, xid, false, 0, 0));
    assertThat(abort.isSubtransaction()).isFalse();
  }

  @Test
  void parallelStreamingAddsAbortLsnAndTime() {
    PgOutputFixture fixture = PgOutputFixture.load("stream-abort-parallel");
    assertThat(fixture.streaming()).isEqualTo(StreamingMode.PARALLEL);
    Decoded decoded = new Decoded(fixture.decodeAll());
    long xid = decoded.get(0, StreamStart.class).xid();

    StreamAbort abort = decoded.get(decoded.messages().size() - 1, StreamAbort.class);
    assertThat(abort.xid()).isEqualTo(xid);
    assertThat(abort.subXid()).isEqualTo(xid);
    assertThat(abort.hasAbortDetails()).isTrue();
    assertThat(abort.abortLsn()).isPositive();
    assertPlausibleTime(abort.abortTime());
  }

  @Test
  void theParallelFlagDecidesTheStreamAbortLayout() {
    byte[] parallelAbort = lastMessage("stream-abort-parallel");
    byte[] plainAbort = lastMessage("stream-abort");

    assertThatThrownBy(() -> new PgOutputDecoder(4, StreamingMode.ON).decode(parallelAbort))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("Stream Abort ('A')")
        .hasMessageContaining("16 unexpected trailing bytes");
    assertThatThrownBy(() -> new PgOutputDecoder(4, StreamingMode.PARALLEL).decode(plainAbort))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("abort LSN needs 8 bytes, 0 available");
  }

  private static byte[] lastMessage(String fixture) {
    List<byte[]> messages = PgOutputFixture.load(fixture).messages();
    return messages.getLast();
  }
}
