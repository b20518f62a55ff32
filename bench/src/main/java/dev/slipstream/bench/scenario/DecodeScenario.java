package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.bench.net.DebeziumReader;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.bench.net.PgReplicationReader;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

/**
 * 3. Decode throughput. K rows of a mixed-type table are committed (in transactions of
 * {@code txRows}) before any reader streams; each reader then gets its own copy of the same slot
 * ({@code pg_copy_logical_replication_slot}), so every one decodes exactly the same WAL. Slipstream
 * counts as done when its one WebSocket subscriber has received all K changes (each was decoded,
 * routed and delivered). Baselines in the same run: {@code pg_recvlogical} (pgoutput into
 * /dev/null) and a bare pgjdbc reader that parses nothing.
 */
public final class DecodeScenario implements Scenario {

  private static final String JOIN = "[\"1\",\"1\",\"realtime:bench\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"bench_decode\"}]}}]";

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
    List<Metric> metrics = new ArrayList<>();
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

      // pg_recvlogical: pgoutput protocol 1 into /dev/null, until the end position.
      Progress.step("pg_recvlogical");
      double recvSeconds = Double.NaN;
      if (Files.isExecutable(Path.of(recvlogical))) {
        pg.execute("SELECT pg_copy_logical_replication_slot('decode_src', 'decode_recvlogical')");
        recvSeconds = recvlogical(pg, recvlogical, endLsn, timeout, context.workDir(), notes);
      } else {
        notes.add("No pg_recvlogical at " + recvlogical + " (--pgRecvlogical=...): that baseline is missing.");
      }

      Progress.step("pgjdbc reader");
      pg.execute("SELECT pg_copy_logical_replication_slot('decode_src', 'decode_pgjdbc')");
      long t0 = System.nanoTime();
      double jdbcSeconds;
      long pgoutputBytes;
      try (PgReplicationReader reader = PgReplicationReader.start(pg, "decode_pgjdbc", "bench_decode",
          (commit, received, column) -> { })) {
        Waits.until(() -> reader.inserts() >= rows || reader.failure() != null, timeout,
            () -> reader.inserts() + " of " + rows + " rows");
        jdbcSeconds = (System.nanoTime() - t0) / 1e9;
        pgoutputBytes = reader.bytes();
        counts.put("pgjdbc_rows", reader.inserts());
      }
      counts.put("pgoutput_bytes", pgoutputBytes);

      // Debezium embedded (pgoutput), records converted to JSON, in this JVM.
      double debeziumSeconds = Double.NaN;
      if (o.flag("debezium", true)) {
        Progress.step("Debezium embedded");
        pg.execute("SELECT pg_copy_logical_replication_slot('decode_src', 'decode_debezium')");
        long d0 = System.nanoTime();
        try (DebeziumReader debezium = new DebeziumReader(pg, "decode_debezium", "bench_decode",
            "public.bench_decode")) {
          Waits.until(() -> debezium.changes() >= rows || debezium.failure() != null, timeout,
              () -> debezium.changes() + " of " + rows + " changes");
          if (debezium.failure() != null) {
            throw new IllegalStateException("Debezium failed", debezium.failure());
          }
          debeziumSeconds = (System.nanoTime() - d0) / 1e9;
          counts.put("debezium_rows", debezium.changes());
          notes.add(String.format("Debezium's first change arrived %.1f s after its engine started (included).",
              (debezium.firstNanos() - d0) / 1e9));
        }
      }

      Progress.step("Slipstream");
      double runtimeSeconds;
      double dispatchSeconds;
      // The subscriber shares the two cores with the walsender and the runtime; with the default 1 MiB budget the
      // runtime would rightly cut it off as a slow client mid-run. The figure is dispatch, so it gets room.
      long clientBuffer = Long.parseLong(o.string("clientBufferBytes", Long.toString(256L << 20)));
      try (ChildJvm runtime = context.startRuntime("decode-runtime", pg, "decode_runtime", "bench_decode",
              List.of("-XX:MaxDirectMemorySize=2g"), List.of("clientBufferBytes=" + clientBuffer));
          LoadGenerator generator = new LoadGenerator(1);
          LoadGenerator.Clients client = generator.connect(runtime.port(), "/realtime/v1/websocket?vsn=2.0.0", 1,
              JOIN, (c, content, nanos) -> { }, Duration.ofMinutes(1))) {
        context.profileStart(runtime, "decode");
        long start = System.nanoTime();
        pg.execute("SELECT pg_copy_logical_replication_slot('decode_src', 'decode_runtime')");
        dispatchSeconds = (runtime.call("marker decode-end " + timeout.toSeconds(), timeout.plusSeconds(10))
            .get("nanos").asLong() - start) / 1e9;
        Waits.until(() -> client.totalChanges() >= rows || client.closedEarly() > 0, timeout,
            () -> client.totalChanges() + " of " + rows + " rows delivered");
        runtimeSeconds = client.closedEarly() > 0 ? Double.NaN : (System.nanoTime() - start) / 1e9;
        if (client.closedEarly() > 0) {
          notes.add(String.format("The subscriber was disconnected after %,d rows (too slow for its %,d-byte budget):"
              + " no 'received' figure.", client.totalChanges(), clientBuffer));
        }
        counts.put("runtime_delivered", client.totalChanges());
        counts.put("runtime_closed_early", client.closedEarly());
        context.profileStop(runtime, "decode");
        Progress.step("stopping");
      }
      Progress.step("stopped");

      String label = String.format("%,d rows", rows);
      metrics.add(Metric.of("rows/s dispatched, " + label, "rows/s", rows / dispatchSeconds, "pg_recvlogical",
          rows / recvSeconds).ratioAtLeast(0.9));
      metrics.add(Metric.of("MB/s of pgoutput dispatched, " + label, "MB/s", pgoutputBytes / dispatchSeconds / 1e6,
          "pg_recvlogical", pgoutputBytes / recvSeconds / 1e6));
      metrics.add(Metric.of("rows/s dispatched, " + label, "rows/s", rows / dispatchSeconds,
          "pgjdbc reader (no decoding)", rows / jdbcSeconds));
      if (!Double.isNaN(debeziumSeconds)) {
        metrics.add(Metric.of("rows/s dispatched, " + label, "rows/s", rows / dispatchSeconds,
            "Debezium embedded" + DebeziumReader.version(), rows / debeziumSeconds).ratioAtLeast(2));
      }
      metrics.add(Metric.of("rows/s received by the subscriber, " + label, "rows/s", rows / runtimeSeconds,
          "pg_recvlogical", rows / recvSeconds));
      notes.add("Time runs from the moment the reader's slot copy exists (Slipstream: it reconnects within 100 ms "
          + "and its subscriber has already joined) or the reader starts, until the last row is dispatched "
          + "(Slipstream: a pg_logical_emit_message written after the rows reaches its fan-out, so every row before "
          + "it has been routed and handed to the subscriber's connection; pg_recvlogical: exit at the end LSN; "
          + "pgjdbc: last Insert read) or received (the subscriber's count). MB/s counts the pgoutput bytes of "
          + "protocol 1 as the pgjdbc reader received them.");
      notes.add("Debezium: the embedded engine (PostgreSQL connector, pgoutput, existing slot copy, no snapshot, "
          + "in-memory offsets) in the benchmark's JVM, each change converted to JSON without schemas and counted.");
    } finally {
      pg.stop();
    }
    return new ScenarioResult(name(), title(), o.used(), metrics, counts, notes, (System.nanoTime() - started) / 1e9);
  }

  private static double recvlogical(TestPostgres pg, String binary, String endLsn, Duration timeout, Path workDir,
      List<String> notes) throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path log = workDir.resolve("pg_recvlogical.log");
    ProcessBuilder builder = new ProcessBuilder(binary,
        "--dbname=host=" + pg.host() + " port=" + pg.port() + " dbname=" + pg.database() + " user=" + pg.user(),
        "--slot=decode_recvlogical", "--start", "--no-loop", "--endpos=" + endLsn, "--fsync-interval=0",
        "-o", "proto_version=1", "-o", "publication_names=bench_decode", "-f", "-")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(log.toFile());
    builder.environment().put("PGPASSWORD", pg.password());
    long t0 = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + " within " + timeout);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (process.exitValue() != 0) {
      throw new IllegalStateException("pg_recvlogical exited " + process.exitValue() + ": " + Files.readString(log));
    }
    Process version = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
    notes.add("Baseline " + new String(version.getInputStream().readAllBytes()).trim() + " against PostgreSQL "
        + query(pg, "SHOW server_version") + ".");
    return seconds;
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
