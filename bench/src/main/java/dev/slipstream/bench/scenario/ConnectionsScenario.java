package dev.slipstream.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.NativeMemory;
import dev.slipstream.bench.core.ProcessCpu;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.bench.host.ClientsHost;
import dev.slipstream.testing.postgres.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * 6. Connections per box. Several runtime processes (several tenants, each streaming its own slot
 * of one table) each hold as many WebSocket connections as one process may have open files, the
 * clients spread over as many client processes; one committed row reaches every connection.
 * Measured: the connections held, the time from the INSERT to the last connection having the
 * change (median of a few rounds), and each runtime's resident memory per connection. Baselines,
 * holding the same connections from the same client processes: as many bare pipelines (each reads a
 * slot of its own of the same database with pgjdbc and writes each Insert as one pre-framed push:
 * the same commit path, {@link dev.slipstream.bench.host.BarePipelineServer}), and as many minimal
 * Netty servers writing a loaded push to all at once on a command (no database at all).
 */
public final class ConnectionsScenario implements Scenario {

  private static final String JOIN = "[\"1\",\"1\",\"realtime:box\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"bench_box\"}]}}]";
  private static final String PUSH = "[null,null,\"realtime:box\",\"postgres_changes\",{\"ids\":[1],\"data\":"
      + "{\"schema\":\"public\",\"table\":\"bench_box\",\"commit_timestamp\":\"2026-11-24T00:00:00.000000Z\","
      + "\"type\":\"INSERT\",\"columns\":[{\"name\":\"id\",\"type\":\"int8\"},{\"name\":\"body\",\"type\":\"text\"}],"
      + "\"record\":{\"id\":1,\"body\":\"to every connection\"},\"old_record\":null,\"errors\":null}}]";

  @Override
  public String name() {
    return "connections";
  }

  @Override
  public String title() {
    return "Connections per box";
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int servers = o.integer("runtimes", 3);
    int perServer = o.integer("connectionsPerRuntime", 15_000);
    int rounds = o.integer("rounds", 5);
    Duration roundTimeout = o.seconds("roundTimeoutSeconds", 60);
    List<String> notes = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    List<ChildJvm> clientHosts = new ArrayList<>();
    Phase runtime;
    Phase bare;
    Phase fired;
    try {
      for (int i = 0; i < servers; i++) {
        ChildJvm host = ChildJvm.start("connections-clients-" + i, List.of("-Xmx1g"), ClientsHost.class.getName(),
            List.of("1"), context.workDir().resolve("connections-clients-" + i + ".log"));
        host.awaitReady(BenchContext.START_TIMEOUT);
        clientHosts.add(host);
      }
      TestPostgres pg = context.startPostgres();
      try (var writer = pg.connect(); var statement = writer.createStatement()) {
        pg.execute("CREATE TABLE bench_box (id bigserial PRIMARY KEY, body text NOT NULL)");
        Action insert = () -> statement.execute("INSERT INTO bench_box (body) VALUES ('to every connection')");
        List<ChildJvm> runtimes = new ArrayList<>();
        try {
          for (int i = 0; i < servers; i++) {
            pg.execute("CREATE PUBLICATION bench_box_" + i + " FOR TABLE bench_box",
                "SELECT pg_create_logical_replication_slot('bench_box_" + i + "', 'pgoutput')");
            runtimes.add(context.startRuntime("connections-runtime-" + i, pg, "bench_box_" + i, "bench_box_" + i,
                List.of()));
          }
          runtime = Phase.measure(context, "runtime", true, runtimes, clientHosts, perServer, rounds, roundTimeout,
              insert);
          Progress.step(servers + " runtimes held " + servers * perServer + " connections");
        } finally {
          runtimes.forEach(ChildJvm::close);
        }
        // The same commit path without the runtime: each bare pipeline reads a slot of its own of the
        // same database with pgjdbc and writes each Insert as one pre-framed push (the latency scenario's).
        List<ChildJvm> pipelines = new ArrayList<>();
        try {
          for (int i = 0; i < servers; i++) {
            pg.execute("SELECT pg_create_logical_replication_slot('bench_box_bare_" + i + "', 'pgoutput')");
            pipelines.add(context.startBarePipeline("connections-bare-" + i, pg, "bench_box_bare_" + i,
                "bench_box_" + i, "bench_box", "realtime:box"));
          }
          bare = Phase.measure(context, "bare", false, pipelines, clientHosts, perServer, rounds, roundTimeout, insert);
        } finally {
          pipelines.forEach(ChildJvm::close);
        }
      } finally {
        pg.stop();
      }

      Path frame = context.workDir().resolve("connections-frame.json");
      Files.createDirectories(frame.getParent());
      Files.writeString(frame, PUSH);
      List<ChildJvm> baselines = new ArrayList<>();
      try {
        for (int i = 0; i < servers; i++) {
          ChildJvm baseline = context.startBaselineServer("connections-baseline-" + i);
          baseline.call("load " + frame.toAbsolutePath(), Duration.ofSeconds(10));
          baselines.add(baseline);
        }
        fired = Phase.measure(context, "minimal", false, baselines, clientHosts, perServer, rounds, roundTimeout, () -> {
          for (ChildJvm baseline : baselines) {
            baseline.call("fire 1", Duration.ofSeconds(30));
          }
        });
      } finally {
        baselines.forEach(ChildJvm::close);
      }
    } finally {
      clientHosts.forEach(ChildJvm::close);
    }
    long connections = (long) servers * perServer;
    counts.put("runtime_connections", connections);
    counts.put("runtime_deliveries", runtime.deliveries);
    counts.put("bare_deliveries", bare.deliveries);
    counts.put("fired_deliveries", fired.deliveries);
    counts.put("runtime_heap_per_connection", Math.round(runtime.heap));
    counts.put("bare_heap_per_connection", Math.round(bare.heap));
    counts.put("minimal_heap_per_connection", Math.round(fired.heap));
    counts.put("runtime_rss_file_per_connection", Math.round(runtime.rssFile));
    counts.put("bare_rss_file_per_connection", Math.round(bare.rssFile));
    counts.put("minimal_rss_file_per_connection", Math.round(fired.rssFile));
    counts.put("expected_per_phase", connections * (rounds + 1)); // one warm-up round
    List<Metric> metrics = new ArrayList<>();
    String pipeline = servers + " bare pipelines (pgjdbc slot reader + minimal Netty server)";
    String minimal = servers + " minimal Netty servers, fire command";
    metrics.add(Metric.of("connections held, " + servers + " runtime processes", "connections",
        (double) connections, pipeline, (double) connections));
    metrics.add(Metric.of("commit to the last of " + connections + " connections (median)", "ms",
        median(runtime.millis), pipeline, median(bare.millis)).ratioAtMost(1.25));
    metrics.add(Metric.of("commit (runtime) or fire command (baseline) to the last of " + connections
        + " connections (median)", "ms", median(runtime.millis), minimal, median(fired.millis)));
    metrics.add(Metric.of("resident memory per connection", "bytes", runtime.rss, pipeline, bare.rss)
        .ratioAtMost(2));
    metrics.add(Metric.of("resident memory per connection", "bytes", runtime.rss, minimal, fired.rss)
        .ratioAtMost(2));
    metrics.add(Metric.of("CPU per million deliveries, all server processes (rounds incl. warm-up)", "s", runtime.cpu,
        pipeline, bare.cpu));
    metrics.add(Metric.of("CPU per million deliveries, all server processes (rounds incl. warm-up)", "s", runtime.cpu,
        minimal, fired.cpu));
    notes.add("One process holds at most 20,000 open files here: each server holds " + perServer
        + " connections, from a client process of its own. Times are System.nanoTime of the INSERT (runtime, bare "
        + "pipelines) or of the fire command (minimal servers) to the latest push any client received, comparable "
        + "across processes. Runtimes, bare pipelines and minimal servers run one set after the other with the same "
        + "client processes and the same PostgreSQL.");
    notes.add("Rounds (ms), runtime: " + Arrays.toString(round1(runtime.millis)) + "; bare pipelines: "
        + Arrays.toString(round1(bare.millis)) + "; minimal servers: " + Arrays.toString(round1(fired.millis)));
    return new ScenarioResult(name(), title(), new LinkedHashMap<>(o.used()), metrics, counts, notes,
        (System.nanoTime() - started) / 1e9);
  }

  /** One set of servers measured: round times, RSS growth per connection, CPU per million deliveries. */
  private record Phase(double[] millis, double rss, double heap, double rssFile, double cpu, long deliveries) {

    /**
     * Connects {@code perServer} clients of a host to each server, measures RSS growth, then runs the
     * rounds; with {@code profile}, a flight recording of the first server covers the rounds (with
     * {@code --jfr=true}); with native memory tracking on, its growth while connecting is written out.
     */
    static Phase measure(BenchContext context, String name, boolean profile, List<ChildJvm> servers,
        List<ChildJvm> clientHosts, int perServer, int rounds, Duration timeout, Action act) throws Exception {
      JsonNode[] before = ConnectionsScenario.measure(servers);
      if (context.nativeMemory()) {
        NativeMemory.baseline(servers.get(0));
      }
      connect(clientHosts, i -> servers.get(i).port(), perServer);
      JsonNode[] after = ConnectionsScenario.measure(servers);
      if (context.nativeMemory()) {
        NativeMemory.diff(servers.get(0), context.workDir().resolve("connections-" + name + "-nmt.txt"));
      }
      double rss = perConnection(before, after, "rss", perServer);
      double heap = perConnection(before, after, "heap", perServer);
      double rssFile = perConnection(before, after, "rss_file", perServer);
      long delivered0 = total(clientHosts);
      double cpu0 = ProcessCpu.seconds(servers);
      if (profile) {
        context.profileStart(servers.get(0), "connections");
      }
      double[] millis = ConnectionsScenario.rounds(clientHosts, rounds, timeout, (long) servers.size() * perServer,
          act);
      if (profile) {
        context.profileStop(servers.get(0), "connections");
      }
      long delivered = total(clientHosts) - delivered0;
      double cpu = ProcessCpu.perMillion(ProcessCpu.seconds(servers) - cpu0, delivered);
      close(clientHosts);
      return new Phase(millis, rss, heap, rssFile, cpu, delivered);
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  /** Each round: act, then wait until every host has one more push per client; the time to the latest push. */
  private static double[] rounds(List<ChildJvm> hosts, int rounds, Duration timeout, long connections, Action act)
      throws Exception {
    double[] millis = new double[rounds];
    long target = total(hosts);
    for (int r = -1; r < rounds; r++) {
      target += connections;
      long expected = target;
      long t0 = System.nanoTime();
      act.run();
      Waits.until(() -> total(hosts) >= expected, timeout, () -> total(hosts) + " of " + expected + " pushes");
      long last = 0;
      for (ChildJvm host : hosts) {
        last = Math.max(last, host.call("changes", Duration.ofSeconds(10)).get("last").asLong());
      }
      if (r >= 0) {
        millis[r] = (last - t0) / 1e6;
      }
    }
    return millis;
  }

  private static void connect(List<ChildJvm> hosts, IntFunction<Integer> port, int perServer) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(hosts.size())) {
      List<Future<JsonNode>> done = new ArrayList<>();
      for (int i = 0; i < hosts.size(); i++) {
        ChildJvm host = hosts.get(i);
        String command = "connect " + port.apply(i) + " " + perServer + " " + JOIN;
        done.add(pool.submit(() -> host.call(command, Duration.ofMinutes(5))));
      }
      for (Future<JsonNode> f : done) {
        JsonNode answer = f.get();
        if (answer.has("error")) {
          throw new IllegalStateException("clients did not connect: " + answer.get("error").asText());
        }
      }
    }
  }

  private static void close(List<ChildJvm> hosts) {
    hosts.forEach(h -> h.call("close", Duration.ofMinutes(2)));
  }

  private static long total(List<ChildJvm> hosts) {
    long total = 0;
    for (ChildJvm host : hosts) {
      total += host.call("changes", Duration.ofSeconds(10)).get("total").asLong();
    }
    return total;
  }

  private static JsonNode[] measure(List<ChildJvm> servers) {
    JsonNode[] measured = new JsonNode[servers.size()];
    for (int i = 0; i < servers.size(); i++) {
      measured[i] = servers.get(i).call("measure", Duration.ofMinutes(1));
    }
    return measured;
  }

  private static double perConnection(JsonNode[] before, JsonNode[] after, String field, int perServer) {
    double sum = 0;
    for (int i = 0; i < before.length; i++) {
      sum += after[i].get(field).asDouble() - before[i].get(field).asDouble();
    }
    return sum / ((double) before.length * perServer);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }

  private static double[] round1(double[] values) {
    return Arrays.stream(values).map(v -> Math.round(v * 10) / 10.0).toArray();
  }
}
