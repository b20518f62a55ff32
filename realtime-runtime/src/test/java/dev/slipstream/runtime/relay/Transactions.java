package dev.slipstream.runtime.relay;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.message;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.ChangeType;
import dev.slipstream.runtime.change.EventPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Synthetic committed transactions, as the assembler would hand them over, with growing LSNs. */
final class Transactions {

  /** One transaction: its events (positions at its commit LSN) and its end LSN. */
  record Transaction(long commitLsn, long endLsn, List<ChangeEvent> events) {
    void feed(ChangeSink sink) {
      events.forEach(sink::accept);
      sink.committed(endLsn);
    }

    EventPosition lastPosition() {
      return events.getLast().position();
    }

    StreamPoint point() {
      return new StreamPoint(endLsn, lastPosition());
    }
  }

  private long lsn;
  private int rowId;

  Transactions(long firstLsn) {
    this.lsn = firstLsn;
  }

  Transactions() {
    this(0x1_0000_0000L);
  }

  /** A transaction of {@code rows} inserts into {@code public.messages}, with a body of {@code bodyBytes}. */
  Transaction next(int rows, int bodyBytes) {
    long commitLsn = lsn;
    Instant time = Instant.ofEpochSecond(1_741_944_413L, (commitLsn % 1_000_000) * 1000);
    List<ChangeEvent> events = new ArrayList<>(rows);
    String body = "x".repeat(bodyBytes);
    for (int i = 0; i < rows; i++) {
      int id = ++rowId;
      events.add(new ChangeEvent.RowChange(new EventPosition(commitLsn, i), time, ChangeType.INSERT, MESSAGES,
          message(Integer.toString(id), "lobby", body, "1.5", "f"), null));
    }
    lsn += 0x100 + rows * 0x40L;
    return new Transaction(commitLsn, commitLsn + 0x30, events);
  }

  Transaction next(int rows) {
    return next(rows, 8);
  }

  List<Transaction> next(int count, int rows, int bodyBytes) {
    List<Transaction> transactions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      transactions.add(next(rows, bodyBytes));
    }
    return transactions;
  }

  /** What a sink fed these transactions in order records. */
  static List<String> calls(List<Transaction> transactions) {
    List<String> calls = new ArrayList<>();
    for (Transaction transaction : transactions) {
      transaction.events().forEach(event -> calls.add(RecordingSink.describe(event)));
      calls.add(RecordingSink.commit(transaction.endLsn()));
    }
    return calls;
  }
}
