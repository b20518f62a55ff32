package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.testing.postgres.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 3. Decode throughput. K rows of a mixed-type table are committed (in transactions of
 * {@code txRows}) before any reader streams; each reader then gets its own copy of the same slot
 * ({@code pg_copy_logical_replication_slot}), so every one decodes exactly the same WAL. Slipstream
 * counts as done when its one WebSocket subscriber has received all K changes (each was decoded,
 * routed and delivered). Baselines in the same run: {@code pg_recvlogical} (pgoutput into
 * /dev/null), a bare pgjdbc reader that parses nothing and Debezium embedded ({@link DecodeReaders}),
 * in {@code --rounds} rounds; CPU per million rows of each reader and its walsender
 * ({@link DecodeFigures}).
 */
public final class DecodeScenario implements Scenario {

  @Override
  public String name() {
    return "decode";
  }

  @Override
  public String title() {
    return "Decode throughput";
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int rows = o.integer("rows", 1_000_000);
    int txRows = Math.min(rows, o.integer("txRows", 1000));
    String recvlogical = o.string("pgRecvlogical", "/usr/bin/pg_recvlogical");
    Duration timeout = o.seconds("timeoutSeconds", 240);
    int rounds = o.integer("rounds", 5);
    boolean withDebezium = o.flag("debezium", true);
    List<dev.slipstream.bench.core.Metric> metrics = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    TestPostgres pg = context.startPostgres();
    try {
      pg.execute("CREATE TABLE bench_decode (id bigint PRIMARY KEY, i int, n numeric(12,2), f float8, b boolean,"
              + " t text, ts timestamptz, d date, u uuid, j jsonb, a int[])",
          "CREATE PUBLICATION bench_decode FOR TABLE bench_decode",
          "SELECT pg_create_logical_replication_slot('decode_src', 'pgoutput')");
      Progress.step("writing " + rows + " rows");
      long insertStart = System.nanoTime();
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        for (int from = 1; from <= rows; from += txRows) {
          int to = Math.min(rows, from + txRows - 1);
          s.execute("INSERT INTO bench_decode SELECT g, g % 1000, g * 1.25, g / 3.0, g % 2 = 0, md5(g::text),"
              + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', date '2026-01-01' + (g % 365),"
              + " md5(g::text)::uuid, jsonb_build_object('k', g, 's', 'v' || g), ARRAY[g, g + 1, g + 2]"
              + " FROM generate_series(" + from + ", " + to + ") g");
        }
      }
      // The end of the stream: dispatched by the runtime only after every row before it.
      pg.execute("SELECT pg_logical_emit_message(true, 'bench', 'decode-end')");
      String endLsn = query(pg, "SELECT pg_current_wal_lsn()::text");
      long walBytes = Long.parseLong(query(pg, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
          + " FROM pg_replication_slots WHERE slot_name = 'decode_src'"));
      counts.put("rows", (long) rows);
      counts.put("wal_bytes", walBytes);
      notes.add(String.format("%,d rows in %,d transactions written in %.1f s before any reader started; %,d WAL "
          + "bytes.", rows, (rows + txRows - 1) / txRows, (System.nanoTime() - insertStart) / 1e9, walBytes));

      DecodeReaders readers = new DecodeReaders(context, pg, rows, endLsn, timeout);
      boolean haveRecvlogical = Files.isExecutable(Path.of(recvlogical));
      if (haveRecvlogical) {
        notes.add("Baseline " + DecodeReaders.version(recvlogical) + " against PostgreSQL "
            + query(pg, "SHOW server_version") + ".");
      } else {
        notes.add("No pg_recvlogical at " + recvlogical + " (--pgRecvlogical=...): that baseline is missing.");
      }
      long clientBuffer = Long.parseLong(o.string("clientBufferBytes", Long.toString(256L << 20)));
      List<DecodeReaders.Pass> recv = new ArrayList<>();
      List<DecodeReaders.Pass> jdbc = new ArrayList<>();
      List<DecodeReaders.Pass> debezium = new ArrayList<>();
      List<DecodeReaders.RuntimePass> slipstream = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        Progress.step("round " + round + " of " + rounds + ": pg_recvlogical");
        if (haveRecvlogical) {
          recv.add(readers.recvlogical(recvlogical, round));
        }
        Progress.step("round " + round + ": pgjdbc reader");
        jdbc.add(readers.pgjdbc(round));
        if (withDebezium) {
          Progress.step("round " + round + ": Debezium embedded");
          debezium.add(readers.debezium(round));
        }
        // The subscriber shares the two cores with the walsender and the runtime; with the default 1 MiB budget the
        // runtime would rightly cut it off as a slow client mid-run. The figure is dispatch, so it gets room.
        Progress.step("round " + round + ": Slipstream");
        DecodeReaders.RuntimePass r = readers.slipstream(clientBuffer, round);
        slipstream.add(r);
        if (r.closedEarly() > 0) {
          notes.add(String.format("Round %d: the subscriber was disconnected after %,d rows (too slow for its %,d-byte"
              + " budget): no 'received' figure.", round, r.delivered(), clientBuffer));
        }
      }
      counts.put("rounds", (long) rounds);
      counts.put("pgoutput_bytes", readers.pgoutputBytes);
      counts.put("pgjdbc_rows", jdbc.stream().mapToLong(DecodeReaders.Pass::rows).min().orElse(0));
      if (withDebezium) {
        counts.put("debezium_rows", debezium.stream().mapToLong(DecodeReaders.Pass::rows).min().orElse(0));
      }
      counts.put("runtime_delivered", slipstream.stream().mapToLong(DecodeReaders.RuntimePass::delivered).min()
          .orElse(0));
      counts.put("runtime_closed_early", slipstream.stream().mapToLong(DecodeReaders.RuntimePass::closedEarly).sum());
      metrics.addAll(new DecodeFigures(rows, readers.pgoutputBytes, slipstream, recv, jdbc, debezium).metrics(notes));
      notes.add("Time runs from the moment the reader's slot copy exists (Slipstream: it reconnects within 100 ms "
          + "and its subscriber has already joined) or the reader starts, until the last row is dispatched "
          + "(Slipstream: a pg_logical_emit_message written after the rows reaches its fan-out, so every row before "
          + "it has been routed and handed to the subscriber's connection; pg_recvlogical: exit at the end LSN; "
          + "pgjdbc: last Insert read) or received (the subscriber's count). MB/s counts the pgoutput bytes of "
          + "protocol 1 as the pgjdbc reader received them. Each round runs the readers in this order on fresh slot "
          + "copies; every figure is the median of the rounds.");
      notes.add("Debezium: the embedded engine (PostgreSQL connector, pgoutput, existing slot copy, no snapshot, "
          + "in-memory offsets) in the benchmark's JVM, each change converted to JSON without schemas and counted.");
      notes.add("CPU = utime + stime from /proc/<pid>/stat (clock ticks of getconf CLK_TCK): pg_recvlogical's process "
          + "and every walsender from their start (read every 10 ms until they exit); the runtime's JVM from the slot "
          + "copy to the dispatch of the end marker; the pgjdbc reader's thread (ThreadMXBean); Debezium runs in the "
          + "benchmark's JVM, so its figure is that whole JVM's CPU while only Debezium (and a 1 ms poll of its count) "
          + "runs in it. The walsender is the one streaming the reader's slot copy (pg_replication_slots.active_pid).");
    } finally {
      pg.stop();
    }
    return new ScenarioResult(name(), title(), o.used(), metrics, counts, notes, (System.nanoTime() - started) / 1e9);
  }

  private static String query(TestPostgres pg, String sql) {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
