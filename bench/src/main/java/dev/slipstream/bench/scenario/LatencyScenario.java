package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.bench.scenario.LatencySide.Sample;
import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 1. Commit-to-client latency. A writer commits one row per transaction at R rows/s; N WebSocket
 * subscribers receive each. Latency = the client's wall clock at receipt minus the row's commit
 * timestamp as PostgreSQL wrote it in the WAL (the {@code commit_timestamp} of the push; same
 * machine, same clock). The baseline, in the same run: the bare pipeline
 * ({@link dev.slipstream.bench.host.BarePipelineServer}: a pgjdbc reader on a second slot of the
 * same publication, one JSON encode per change, pre-framed bytes written to N clients of its own by
 * a minimal Netty server). The two sides' windows alternate ({@link LatencySide}); each figure is
 * the median of the rounds. With {@code --knee=true} the rate is then stepped up for each side
 * until its p99 is no longer under {@code --kneeP99Millis} (or a client was closed): the knee.
 */
public final class LatencyScenario implements Scenario {

  private static final String JOIN = "[\"1\",\"1\",\"realtime:bench\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"bench_events\"}]}}]";
  static final String BARE = "bare pipeline (pgjdbc + Netty, 2nd slot)";

  @Override
  public String name() {
    return "latency";
  }

  @Override
  public String title() {
    return "Commit-to-client latency";
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int subscribers = o.integer("subscribers", 1000);
    int[] rates = o.integers("rates", "100,1000");
    int rounds = o.integer("rounds", 5);
    Duration warmup = o.seconds("warmupSeconds", 5);
    Duration round = o.seconds("seconds", 30).dividedBy(rounds);
    int clientThreads = o.integer("clientThreads", 2);
    boolean knee = o.flag("knee", false);
    List<Metric> metrics = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    TestPostgres pg = context.startPostgres();
    try {
      String columns = " (id bigserial PRIMARY KEY, phase int NOT NULL, room text NOT NULL, body text NOT NULL,"
          + " sent_at timestamptz NOT NULL DEFAULT clock_timestamp())";
      pg.execute("CREATE TABLE bench_events" + columns, "CREATE TABLE bench_bare" + columns,
          "CREATE PUBLICATION bench_latency FOR TABLE bench_events, bench_bare",
          "SELECT pg_create_logical_replication_slot('bench_runtime', 'pgoutput')",
          "SELECT pg_create_logical_replication_slot('bench_bare', 'pgoutput')");
      try (ChildJvm runtime = context.startRuntime("latency-runtime", pg, "bench_runtime", "bench_latency", List.of());
          ChildJvm bareServer = context.startBarePipeline("latency-bare", pg, "bench_bare", "bench_latency",
              "bench_bare");
          LoadGenerator generator = new LoadGenerator(clientThreads);
          Connection writer = pg.connect();
          LatencySide slipstream = new LatencySide("Slipstream", runtime, writer.prepareStatement(
              "INSERT INTO bench_events (phase, room, body) VALUES (?, 'lobby', ?)"), generator, subscribers, JOIN);
          LatencySide bare = new LatencySide("bare pipeline", bareServer, writer.prepareStatement(
              "INSERT INTO bench_bare (phase, room, body) VALUES (?, 'lobby', ?)"), generator, subscribers, JOIN)) {
        context.profileStart(runtime, "latency");
        for (int rate : rates) {
          Progress.step(String.format("%,d rows/s: %d rounds of %.1f s each, alternating", rate, rounds,
              round.toMillis() / 1000.0));
          List<Sample> s = new ArrayList<>();
          List<Sample> b = new ArrayList<>();
          try {
            slipstream.run(rate, warmup, Duration.ZERO);
            bare.run(rate, warmup, Duration.ZERO);
            for (int i = 0; i < rounds; i++) {
              // a b, b a, ...: whatever else the machine does weighs on both.
              LatencySide first = i % 2 == 0 ? slipstream : bare;
              LatencySide second = first == slipstream ? bare : slipstream;
              (first == slipstream ? s : b).add(first.run(rate, Duration.ZERO, round));
              (second == slipstream ? s : b).add(second.run(rate, Duration.ZERO, round));
            }
          } catch (IllegalStateException e) {
            notes.add(String.format("At %,d rows/s the rounds stopped after %d and %d: %s", rate, s.size(), b.size(),
                e.getMessage()));
            if (s.isEmpty() || b.isEmpty()) {
              continue;
            }
          }
          String label = String.format("%,d subscribers × %,d rows/s", subscribers, rate);
          LatencyRounds mine = new LatencyRounds(s);
          LatencyRounds theirs = new LatencyRounds(b);
          metrics.addAll(mine.compare(label, theirs, rate == 100 && subscribers == 1000));
          mine.count(counts, "", rate);
          theirs.count(counts, "bare_", rate);
          notes.addAll(mine.problems("Slipstream", rate));
          notes.addAll(theirs.problems("The bare pipeline", rate));
        }
        if (knee) {
          LatencyKnee.Result k = new LatencyKnee(o).find(slipstream, bare);
          metrics.addAll(k.metrics());
          counts.putAll(k.counts());
          notes.addAll(k.notes());
        }
        context.profileStop(runtime, "latency");
        counts.put("subscribers", (long) subscribers);
        counts.put("closed_early", slipstream.closedEarly());
        counts.put("bare_closed_early", bare.closedEarly());
        counts.put("runtime_slow_clients_closed", runtime.call("stats", Duration.ofSeconds(10))
            .get("slow_clients_closed").asLong());
        counts.put("bare_slow_clients_closed", bareServer.call("stats", Duration.ofSeconds(10))
            .get("slow_clients_closed").asLong());
        notes.add("Latency = receive time (client, Instant.now()) − the transaction's commit timestamp from the "
            + "WAL (pgoutput Begin; the push's commit_timestamp). One row per transaction. Per rate: a "
            + warmup.toSeconds() + " s warm-up of each side, then " + rounds + " rounds of " + round.toMillis() / 1000.0
            + " s per side, alternating (a b, b a, ...); each percentile is the median of the rounds' percentiles, "
            + "max the largest of any round. CPU = utime + stime (/proc/<pid>/stat) of the server JVM under test from "
            + "the first measured commit of a round to its last delivery, summed over the rounds, per million "
            + "deliveries.");
        notes.add("Both servers stream every row of the publication (two tables, each side fans out only its own), "
            + "so both walsenders and both decoders work in every window and only the measured side fans out.");
      }
    } finally {
      pg.stop();
    }
    return new ScenarioResult(name(), title(), o.used(), metrics, counts, notes,
        (System.nanoTime() - started) / 1e9);
  }
}
