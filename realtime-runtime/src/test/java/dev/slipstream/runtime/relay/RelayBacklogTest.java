package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.relay.RelayBacklog.Segment;
import dev.slipstream.runtime.relay.Transactions.Transaction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backlog on its own: what it keeps, what it replays, what readers get, what it drops. */
class RelayBacklogTest {

  private static final UnpooledByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

  private final Transactions transactions = new Transactions();
  private final List<RelayBacklog> backlogs = new ArrayList<>();
  private final List<Segment> received = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    received.forEach(segment -> segment.frames().release());
    backlogs.forEach(RelayBacklog::close);
  }

  private RelayBacklog backlog(long maxBytes) {
    RelayBacklog backlog = new RelayBacklog(maxBytes, HEAP, null);
    backlogs.add(backlog);
    return backlog;
  }

  private Consumer<Segment> reader(List<Segment> into) {
    return segment -> {
      into.add(segment);
      received.add(segment);
    };
  }

  @Test
  void encodesEachTransactionOnceAndHandsEveryReaderTheSameBytes() {
    RelayBacklog backlog = backlog(1 << 20);
    List<Segment> first = new ArrayList<>();
    List<Segment> second = new ArrayList<>();
    backlog.subscribe(false, 0, reader(first));
    backlog.subscribe(false, 0, reader(second));

    Transaction transaction = transactions.next(3);
    transaction.feed(backlog);

    assertThat(first).hasSize(1);
    assertThat(first.getFirst().completes()).isTrue();
    assertThat(first.getFirst().endLsn()).isEqualTo(transaction.endLsn());
    assertThat(first.getFirst().frames().array()).isSameAs(second.getFirst().frames().array());
    assertThat(decode(first.getFirst().frames())).isEqualTo(Transactions.calls(List.of(transaction)));
    assertThat(backlog.lastCommittedEndLsn()).isEqualTo(transaction.endLsn());
  }

  @Test
  void aLargeTransactionGoesOutInChunksBeforeItCommits() {
    RelayBacklog backlog = backlog(16 << 20);
    List<Segment> live = new ArrayList<>();
    backlog.subscribe(false, 0, reader(live));
    Transaction big = transactions.next(2000, 100);

    big.events().forEach(backlog::accept);
    assertThat(live).hasSizeGreaterThan(2).allSatisfy(segment -> assertThat(segment.completes()).isFalse());
    backlog.committed(big.endLsn());

    assertThat(live.getLast().completes()).isTrue();
    List<String> calls = new ArrayList<>();
    live.forEach(segment -> calls.addAll(decode(segment.frames())));
    assertThat(calls).isEqualTo(Transactions.calls(List.of(big)));
  }

  @Test
  void evictsWholeTransactionsOldestFirstAndReplaysFromAFollowersPoint() {
    RelayBacklog backlog = backlog(2000);
    List<Transaction> sent = transactions.next(20, 2, 100);
    sent.forEach(transaction -> transaction.feed(backlog));

    assertThat(backlog.retainedBytes()).isLessThanOrEqualTo(2000);
    int kept = backlog.retainedTransactions();
    assertThat(kept).isBetween(2, 19);
    List<Transaction> retained = sent.subList(sent.size() - kept, sent.size());

    Transaction covered = retained.get(1);
    RelayBacklog.Replay replay = backlog.subscribe(true, covered.endLsn(), segment -> { });
    assertThat(replay.gap()).isFalse();
    assertThat(replay.startLsn()).isEqualTo(covered.endLsn());
    // From the follower's own last transaction on: it drops that one itself.
    assertThat(decodeAll(replay.segments())).isEqualTo(Transactions.calls(retained.subList(1, kept)));

    Transaction evicted = sent.get(sent.size() - kept - 2);
    RelayBacklog.Replay behind = backlog.subscribe(true, evicted.endLsn(), segment -> { });
    assertThat(behind.gap()).isTrue();
    assertThat(behind.startLsn()).isEqualTo(sent.get(sent.size() - kept - 1).endLsn());
    assertThat(decodeAll(behind.segments())).isEqualTo(Transactions.calls(retained));

    RelayBacklog.Replay fresh = backlog.subscribe(false, 0, segment -> { });
    assertThat(fresh.segments()).isEmpty();
    assertThat(fresh.startLsn()).isEqualTo(sent.getLast().endLsn());
  }

  @Test
  void dropsWhatItHasWhenFedAgainFromAnEarlierPoint() {
    RelayBacklog backlog = backlog(1 << 20);
    List<Transaction> sent = transactions.next(3, 3, 10);
    sent.get(0).feed(backlog);
    sent.get(1).feed(backlog);
    sent.get(2).events().subList(0, 2).forEach(backlog::accept);
    Transaction next = transactions.next(3);

    // A failover: the slot resends from the second transaction on, the third one half taken before.
    backlog.streamStartsAt(sent.get(0).endLsn(), 0);
    sent.get(1).feed(backlog);
    sent.get(2).feed(backlog);
    next.feed(backlog);

    assertThat(backlog.retainedTransactions()).isEqualTo(4);
    assertThat(decodeAll(backlog.subscribe(true, sent.get(0).endLsn(), segment -> { }).segments()))
        .isEqualTo(Transactions.calls(List.of(sent.get(0), sent.get(1), sent.get(2), next)));
  }

  @Test
  void aChunkReceivedFromTheLeaderIsKeptByteForByte() {
    RelayBacklog leader = backlog(1 << 20);
    RelayBacklog follower = backlog(1 << 20);
    List<Segment> live = new ArrayList<>();
    leader.subscribe(false, 0, reader(live));
    Transaction transaction = transactions.next(5);
    transaction.feed(leader);
    ByteBuf segment = live.getFirst().frames();
    int commitAt = segment.readableBytes() - Frames.HEADER_BYTES - 8;
    ByteBuf chunk = segment.slice(segment.readerIndex(), commitAt);

    follower.appendReceived(chunk, ChunkReader.read(Frames.body(chunk)));
    follower.committed(transaction.endLsn());

    List<Segment> replay = follower.subscribe(true, 1, reader(new ArrayList<>())).segments();
    replay.forEach(received::add);
    assertThat(replay.getFirst().frames()).isEqualTo(segment);
  }

  @Test
  void aTransactionLargerThanTheBacklogStreamsButIsNotKept() {
    RelayBacklog backlog = backlog(20_000);
    Transaction small = transactions.next(1);
    small.feed(backlog);
    List<Segment> live = new ArrayList<>();
    backlog.subscribe(true, small.endLsn(), reader(live));
    Transaction big = transactions.next(2000, 100);

    big.events().subList(0, 1000).forEach(backlog::accept);
    RelayBacklog.Replay during = backlog.subscribe(false, 0, segment -> { });
    big.events().subList(1000, 2000).forEach(backlog::accept);
    backlog.committed(big.endLsn());

    assertThat(during.skipSeq()).isNotNegative();
    List<String> calls = new ArrayList<>();
    live.forEach(segment -> calls.addAll(decode(segment.frames())));
    assertThat(calls).isEqualTo(Transactions.calls(List.of(big)));
    assertThat(backlog.retainedTransactions()).isZero();
    assertThat(backlog.subscribe(true, small.endLsn(), segment -> { }).gap()).isTrue();
  }

  @Test
  void aStreamResumingBeyondTheBacklogIsAGapForItsReaders() {
    RelayBacklog backlog = backlog(1 << 20);
    Transaction first = transactions.next(1);
    first.feed(backlog);
    List<Segment> live = new ArrayList<>();
    backlog.subscribe(true, first.endLsn(), reader(live));

    backlog.streamStartsAt(first.endLsn() + 0x1000, first.endLsn() + 0x2000);

    assertThat(decode(live.getFirst().frames())).containsExactly("gap " + Long.toHexString(first.endLsn() + 0x1000));
    assertThat(backlog.retainedTransactions()).isZero();
    assertThat(backlog.serverWalEnd()).isEqualTo(first.endLsn() + 0x2000);
    assertThat(backlog.lastCommittedEndLsn()).isEqualTo(first.endLsn() + 0x1000);
  }

  @Test
  void aMessageAtThePreviousCommitsEndLsnStillCommits() {
    RelayBacklog backlog = backlog(1 << 20);
    Transaction transaction = transactions.next(1);
    transaction.feed(backlog);
    ChangeEvent heartbeat = new ChangeEvent.DatabaseMessage(new EventPosition(transaction.endLsn(), 0), Instant.now(),
        false, "slipstream.heartbeat", new byte[0]);

    backlog.accept(heartbeat);
    backlog.committed(transaction.endLsn());

    assertThat(backlog.retainedTransactions()).isEqualTo(2);
  }

  /** The frames of a segment as sink calls (and gaps). */
  static List<String> decode(ByteBuf frames) {
    List<String> calls = new ArrayList<>();
    ByteBuf in = frames.duplicate();
    while (in.isReadable()) {
      int length = in.getInt(in.readerIndex());
      ByteBuf frame = in.readSlice(Frames.LENGTH_BYTES + length);
      switch (Frames.type(frame)) {
        case Frames.CHUNK -> ChunkReader.read(Frames.body(frame)).forEach(e -> calls.add(RecordingSink.describe(e)));
        case Frames.COMMIT -> calls.add(RecordingSink.commit(Frames.readLsn(Frames.body(frame), "COMMIT")));
        case Frames.GAP -> calls.add("gap " + Long.toHexString(Frames.readLsn(Frames.body(frame), "GAP")));
        default -> throw new AssertionError("unexpected frame " + Frames.name(Frames.type(frame)));
      }
    }
    return calls;
  }

  private List<String> decodeAll(List<Segment> segments) {
    List<String> calls = new ArrayList<>();
    for (Segment segment : segments) {
      calls.addAll(decode(segment.frames()));
      received.add(segment);
    }
    return calls;
  }
}
