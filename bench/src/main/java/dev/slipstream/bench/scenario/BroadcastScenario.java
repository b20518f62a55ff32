package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.ProcessCpu;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.host.BroadcastRelayServer;
import dev.slipstream.bench.net.BroadcastClients;
import dev.slipstream.testing.postgres.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * 4. Broadcast, in the shape Supabase published: clients in rooms of 100, each sending 2
 * broadcasts a second over the WebSocket protocol (as realtime-js sends them: binary frames),
 * every other member of the room receiving each. Measured over a steady window after a warm-up:
 * messages delivered per second and send-to-receive latency (one clock: the clients send and
 * receive in this process). Baseline: a minimal Netty relay that forwards each broadcast to the
 * room with no protocol, checks or limits ({@link BroadcastRelayServer}), same clients, same load.
 */
public final class BroadcastScenario implements Scenario {

  @Override
  public String name() {
    return "broadcast";
  }

  @Override
  public String title() {
    return "Broadcast (rooms of 100, 2 messages/s per client)";
  }

  private record Run(double deliveredPerSecond, double sentPerSecond, Histogram latency, long sent, long received,
      double cpuSeconds) {
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int clients = o.integer("clients", 1000);
    int roomSize = o.integer("roomSize", 100);
    double perSecond = o.integer("messagesPerSecond", 2);
    Duration warmup = o.seconds("warmupSeconds", 5);
    int rounds = o.integer("rounds", 5);
    Duration window = o.seconds("seconds", 20).dividedBy(rounds);
    int clientThreads = o.integer("clientThreads", 2);
    List<String> notes = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    List<Run> runtime;
    List<Run> baseline;
    TestPostgres pg = context.startPostgres();
    try {
      pg.execute("CREATE TABLE bench_broadcast (id bigint PRIMARY KEY)",
          "CREATE PUBLICATION bench_broadcast FOR TABLE bench_broadcast",
          "SELECT pg_create_logical_replication_slot('bench_broadcast', 'pgoutput')");
      try (ChildJvm server = context.startRuntime("broadcast-runtime", pg, "bench_broadcast", "bench_broadcast",
          List.of("-DmaxEventsPerSecond=" + (int) Math.max(10_000, clients * perSecond * 4)))) {
        Progress.step("runtime: " + clients + " clients in rooms of " + roomSize);
        context.profileStart(server, "broadcast");
        runtime = measure(server, clients, roomSize, perSecond, warmup, window, rounds, clientThreads);
        context.profileStop(server, "broadcast");
      }
    } finally {
      pg.stop();
    }
    try (ChildJvm relay = ChildJvm.start("broadcast-baseline", context.runtimeJvmOptions(),
        BroadcastRelayServer.class.getName(), List.of(), context.workDir().resolve("broadcast-baseline.log"))) {
      relay.awaitReady(BenchContext.START_TIMEOUT);
      Progress.step("baseline relay: same load");
      baseline = measure(relay, clients, roomSize, perSecond, warmup, window, rounds, clientThreads);
    }
    double expectedPerSecond = clients * perSecond * (roomSize - 1);
    long sent = runtime.stream().mapToLong(Run::sent).sum();
    long received = runtime.stream().mapToLong(Run::received).sum();
    counts.put("rounds", (long) rounds);
    counts.put("sent", sent);
    counts.put("received", received);
    counts.put("expected", sent * (roomSize - 1));
    String base = "minimal Netty relay";
    String n = " (median of " + rounds + ")";
    List<Metric> metrics = new ArrayList<>();
    metrics.add(Metric.of("messages delivered per second (offered " + Math.round(expectedPerSecond) + "/s)" + n,
        "msgs/s", median(runtime, Run::deliveredPerSecond), base, median(baseline, Run::deliveredPerSecond))
        .ratioAtLeast(0.9));
    for (double q : new double[] {50, 95, 99}) {
      metrics.add(Metric.of("send-to-receive latency p" + (int) q + n, "ms",
          median(runtime, r -> r.latency().getValueAtPercentile(q) / 1000.0), base,
          median(baseline, r -> r.latency().getValueAtPercentile(q) / 1000.0)));
    }
    metrics.add(Metric.of("send-to-receive latency max", "ms",
        runtime.stream().mapToDouble(r -> r.latency().getMaxValue() / 1000.0).max().orElse(Double.NaN), base,
        baseline.stream().mapToDouble(r -> r.latency().getMaxValue() / 1000.0).max().orElse(Double.NaN)));
    metrics.add(Metric.of("CPU per million deliveries (server JVM, measured rounds)", "s",
        ProcessCpu.perMillion(runtime.stream().mapToDouble(Run::cpuSeconds).sum(), received), base,
        ProcessCpu.perMillion(baseline.stream().mapToDouble(Run::cpuSeconds).sum(),
            baseline.stream().mapToLong(Run::received).sum())));
    notes.add("Clients and server share this machine's cores; the clients' own work (decoding frames, timing) "
        + "counts against both the runtime and the baseline.");
    notes.add("Supabase's published figures (multi-node clusters, not this machine): 32k users in channels of 100, "
        + "224k msgs/s, p50 6 ms, p95 28 ms, p99 213 ms; 250k users, >800k msgs/s, p50 58 ms, p99 508 ms.");
    notes.add(String.format("Received %d of %d expected deliveries in the measured window (%.1f%%; in flight at its "
        + "edges and anything dropped make the difference). %d rounds of %.1f s after a %d s warm-up, one after the "
        + "other; each figure is the median of the rounds'.", received, sent * (roomSize - 1),
        100.0 * received / Math.max(1, sent * (roomSize - 1)), rounds, window.toMillis() / 1000.0,
        warmup.toSeconds()));
    return new ScenarioResult(name(), title(), new LinkedHashMap<>(o.used()), metrics, counts, notes,
        (System.nanoTime() - started) / 1e9);
  }

  private static List<Run> measure(ChildJvm server, int clients, int roomSize, double perSecond, Duration warmup,
      Duration window, int rounds, int threads) throws Exception {
    try (BroadcastClients group = new BroadcastClients(threads)) {
      group.connect(server.port(), clients, roomSize, Duration.ofSeconds(120));
      group.start(perSecond);
      LockSupport.parkNanos(warmup.toNanos());
      List<Run> runs = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        group.record();
        double cpu0 = ProcessCpu.seconds(server.pid());
        long from = System.nanoTime();
        LockSupport.parkNanos(window.toNanos());
        double cpu = ProcessCpu.seconds(server.pid()) - cpu0;
        long received = group.received();
        long sent = group.sent();
        double seconds = (System.nanoTime() - from) / 1e9;
        runs.add(new Run(received / seconds, sent / seconds, group.latencies(), sent, received, cpu));
      }
      group.stop();
      if (group.failure() != null) {
        Progress.step("client failure: " + group.failure());
      }
      return runs;
    }
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return FanOutScenario.median(runs.stream().mapToDouble(f).toArray());
  }
}
