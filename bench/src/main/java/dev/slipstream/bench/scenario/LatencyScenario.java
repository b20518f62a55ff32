package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.bench.net.PgReplicationReader;
import dev.slipstream.bench.net.Timestamps;
import dev.slipstream.testing.postgres.TestPostgres;
import io.netty.buffer.ByteBuf;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * 1. Commit-to-client latency. A writer commits one row per transaction at R rows/s; N WebSocket
 * subscribers receive each through the runtime. Latency = the client's wall clock at receipt minus
 * the row's commit timestamp as PostgreSQL wrote it in the WAL (the {@code commit_timestamp} of the
 * push; same machine, same clock). The floor: a bare pgjdbc reader on a second slot of the same
 * publication, timed the same way against the same commit timestamps, in the same run.
 */
public final class LatencyScenario implements Scenario {

  private static final String JOIN = "[\"1\",\"1\",\"realtime:bench\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"bench_events\"}]}}]";
  private static final ByteBuf PHASE = Timestamps.key("phase");

  @Override
  public String name() {
    return "latency";
  }

  @Override
  public String title() {
    return "Commit-to-client latency";
  }

  /** What one rate phase collects; the phase number travels in the row. */
  private static final class Phase {
    final Recorder runtime = new Recorder(3);
    final Recorder floor = new Recorder(3);
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong floorRows = new AtomicLong();
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int subscribers = o.integer("subscribers", 1000);
    int[] rates = o.integers("rates", "100,1000");
    Duration warmup = o.seconds("warmupSeconds", 5);
    Duration measure = o.seconds("seconds", 30);
    int clientThreads = o.integer("clientThreads", 2);
    List<Metric> metrics = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    // Phase 0 is warm-up (not recorded); phase i is rates[i-1].
    Phase[] phases = new Phase[rates.length * 2 + 1];
    for (int i = 0; i < phases.length; i++) {
      phases[i] = new Phase();
    }
    TestPostgres pg = context.startPostgres();
    try {
      pg.execute("CREATE TABLE bench_events (id bigserial PRIMARY KEY, phase int NOT NULL, room text NOT NULL,"
              + " body text NOT NULL, sent_at timestamptz NOT NULL DEFAULT clock_timestamp())",
          "CREATE PUBLICATION bench_latency FOR TABLE bench_events",
          "SELECT pg_create_logical_replication_slot('bench_runtime', 'pgoutput')",
          "SELECT pg_create_logical_replication_slot('bench_floor', 'pgoutput')");
      try (ChildJvm runtime = context.startRuntime("latency-runtime", pg, "bench_runtime", "bench_latency", List.of());
          PgReplicationReader floor = PgReplicationReader.start(pg, "bench_floor", "bench_latency",
              (commit, received, phase) -> {
                Phase p = phases[Integer.parseInt(phase)];
                p.floorRows.incrementAndGet();
                p.floor.recordValue(Math.max(0, received - commit));
              });
          LoadGenerator generator = new LoadGenerator(clientThreads);
          LoadGenerator.Clients clients = generator.connect(runtime.port(), "/realtime/v1/websocket?vsn=2.0.0",
              subscribers, JOIN, (client, content, nanos) -> {
                long received = Timestamps.nowMicros();
                long commit = Timestamps.commitTimestampMicros(content);
                Phase p = phases[(int) Timestamps.longField(content, PHASE)];
                p.delivered.incrementAndGet();
                p.runtime.recordValue(Math.max(0, received - commit));
              }, Duration.ofMinutes(2));
          Connection writer = pg.connect()) {
        PreparedStatement insert = writer.prepareStatement(
            "INSERT INTO bench_events (phase, room, body) VALUES (?, 'lobby', ?)");
        long totalRows = 0;
        context.profileStart(runtime, "latency");
        for (int r = 0; r < rates.length; r++) {
          int rate = rates[r];
          Phase warm = phases[2 * r + 1];
          Phase p = phases[2 * r + 2];
          long warmRows = PacedWriter.write(insert, 2 * r + 1, rate, warmup);
          long rows = PacedWriter.write(insert, 2 * r + 2, rate, measure);
          totalRows += warmRows + rows;
          long expected = rows * subscribers;
          long expectedAll = (warmRows) * subscribers;
          boolean complete = Waits.untilDoneOrQuiet(() -> p.delivered.get() >= expected
                  && warm.delivered.get() >= expectedAll && p.floorRows.get() >= rows,
              () -> p.delivered.get() + p.floorRows.get(), Duration.ofSeconds(10), Duration.ofSeconds(120).plus(measure));
          if (!complete) {
            notes.add(String.format("At %,d rows/s %,d of %,d deliveries arrived (%,d clients were closed by the "
                + "runtime as too slow: it fell more than 16× its per-client buffer behind).", rate,
                p.delivered.get(), expected, clients.closedEarly()));
          }
          Histogram runtimeHistogram = p.runtime.getIntervalHistogram();
          Histogram floorHistogram = p.floor.getIntervalHistogram();
          String label = String.format("%,d subscribers × %,d rows/s", subscribers, rate)
              + (complete ? "" : String.format(" (only %,d of %,d delivered)", p.delivered.get(), expected));
          double achieved = rows / (measure.toNanos() / 1e9);
          List<Metric> rows5 = Latencies.compare(label, runtimeHistogram, floorHistogram, "pgjdbc reader, 2nd slot");
          for (Metric m : rows5) {
            if (rate == 100 && subscribers == 1000 && m.name().endsWith("p50")) {
              m = m.atMost(2, "≤ 2 ms");
            } else if (rate == 100 && subscribers == 1000 && m.name().endsWith("p99")) {
              m = m.atMost(10, "≤ 10 ms");
            }
            metrics.add(m);
          }
          counts.put("rows_" + rate, rows);
          counts.put("expected_deliveries_" + rate, expected);
          counts.put("delivered_" + rate, p.delivered.get());
          counts.put("floor_rows_" + rate, p.floorRows.get());
          if (achieved < rate * 0.95) {
            notes.add(String.format("The writer reached %.0f of %d rows/s (one commit per row, synchronous_commit=on).",
                achieved, rate));
          }
        }
        context.profileStop(runtime, "latency");
        counts.put("subscribers", (long) clients.size());
        counts.put("closed_early", clients.closedEarly());
        counts.put("runtime_slow_clients_closed", runtime.call("stats", Duration.ofSeconds(10))
            .get("slow_clients_closed").asLong());
        if (floor.failure() != null) {
          notes.add("The pgjdbc reader failed: " + floor.failure());
        }
        notes.add("Latency = receive time (client, Instant.now()) − the transaction's commit timestamp from the "
            + "WAL (pgoutput Begin; the push's commit_timestamp). One row per transaction, "
            + warmup.toSeconds() + " s warm-up per rate not recorded; " + totalRows + " rows in all.");
      }
    } finally {
      pg.stop();
    }
    return new ScenarioResult(name(), title(), o.used(), metrics, counts, notes,
        (System.nanoTime() - started) / 1e9);
  }
}
