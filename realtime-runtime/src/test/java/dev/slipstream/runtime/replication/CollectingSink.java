package dev.slipstream.runtime.replication;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A sink that records what the replication thread hands it, for assertions from the test thread. */
final class CollectingSink implements ChangeSink {

  final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
  final AtomicLong committedLsn = new AtomicLong();
  final AtomicLong commits = new AtomicLong();

  @Override
  public void accept(ChangeEvent event) {
    events.add(event);
  }

  @Override
  public void committed(long endLsn) {
    committedLsn.set(endLsn);
    commits.incrementAndGet();
  }

  List<ChangeEvent.RowChange> rows() {
    List<ChangeEvent.RowChange> rows = new ArrayList<>();
    for (ChangeEvent e : events) {
      if (e instanceof ChangeEvent.RowChange row) {
        rows.add(row);
      }
    }
    return rows;
  }

  /** Column name to text value ("<null>", "<unchanged-toast>" for the non-text kinds). */
  static Map<String, String> values(TableSchema table, TupleData tuple) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < tuple.size(); i++) {
      values.put(table.columns().get(i).name(), switch (tuple.get(i)) {
        case ColumnValue.Text text -> text.asString();
        case ColumnValue.Null ignored -> "<null>";
        case ColumnValue.UnchangedToast ignored -> "<unchanged-toast>";
        case ColumnValue.Binary ignored -> "<binary>";
      });
    }
    return values;
  }
}
