package dev.slipstream.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
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
 * change (median of a few rounds), and each runtime's resident memory per connection. Baseline:
 * the same number of minimal Netty servers holding the same connections and writing the same
 * push to all of them at once.
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
    double[] runtimeRounds;
    double[] baselineRounds;
    double rssPerConnection = 0;
    double baselineRssPerConnection = 0;
    double runtimeCpu = Double.NaN;
    double baselineCpu = Double.NaN;
    try {
      for (int i = 0; i < servers; i++) {
        ChildJvm host = ChildJvm.start("connections-clients-" + i, List.of("-Xmx1g"), ClientsHost.class.getName(),
            List.of("1"), context.workDir().resolve("connections-clients-" + i + ".log"));
        host.awaitReady(BenchContext.START_TIMEOUT);
        clientHosts.add(host);
      }
      TestPostgres pg = context.startPostgres();
      List<ChildJvm> runtimes = new ArrayList<>();
      try (var writer = pg.connect(); var statement = writer.createStatement()) {
        pg.execute("CREATE TABLE bench_box (id bigserial PRIMARY KEY, body text NOT NULL)");
        for (int i = 0; i < servers; i++) {
          pg.execute("CREATE PUBLICATION bench_box_" + i + " FOR TABLE bench_box",
              "SELECT pg_create_logical_replication_slot('bench_box_" + i + "', 'pgoutput')");
          runtimes.add(context.startRuntime("connections-runtime-" + i, pg, "bench_box_" + i, "bench_box_" + i,
              List.of()));
        }
        JsonNode[] before = measure(runtimes);
        connect(clientHosts, i -> runtimes.get(i).port(), perServer);
        JsonNode[] after = measure(runtimes);
        rssPerConnection = perConnection(before, after, "rss", perServer);
        Progress.step(servers + " runtimes hold " + servers * perServer + " connections");
        double cpu0 = ProcessCpu.seconds(runtimes);
        long delivered0 = total(clientHosts);
        runtimeRounds = rounds(clientHosts, rounds, roundTimeout, (long) servers * perServer,
            () -> statement.execute("INSERT INTO bench_box (body) VALUES ('to every connection')"));
        runtimeCpu = ProcessCpu.perMillion(ProcessCpu.seconds(runtimes) - cpu0, total(clientHosts) - delivered0);
        counts.put("runtime_connections", (long) servers * perServer);
        counts.put("runtime_deliveries", total(clientHosts));
        counts.put("runtime_expected", (long) servers * perServer * (rounds + 1)); // one warm-up round
        close(clientHosts);
      } finally {
        runtimes.forEach(ChildJvm::close);
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
        JsonNode[] before = measure(baselines);
        connect(clientHosts, i -> baselines.get(i).port(), perServer);
        JsonNode[] after = measure(baselines);
        baselineRssPerConnection = perConnection(before, after, "rss", perServer);
        long base = total(clientHosts);
        double cpu0 = ProcessCpu.seconds(baselines);
        baselineRounds = rounds(clientHosts, rounds, roundTimeout, (long) servers * perServer, () -> {
          for (ChildJvm baseline : baselines) {
            baseline.call("fire 1", Duration.ofSeconds(30));
          }
        });
        counts.put("baseline_deliveries", total(clientHosts) - base);
        baselineCpu = ProcessCpu.perMillion(ProcessCpu.seconds(baselines) - cpu0, total(clientHosts) - base);
        close(clientHosts);
      } finally {
        baselines.forEach(ChildJvm::close);
      }
    } finally {
      clientHosts.forEach(ChildJvm::close);
    }
    List<Metric> metrics = new ArrayList<>();
    String base = servers + " minimal Netty servers";
    metrics.add(Metric.of("connections held, " + servers + " runtime processes", "connections",
        (double) servers * perServer, base, (double) servers * perServer));
    metrics.add(Metric.of("commit to the last of " + servers * perServer + " connections (median)", "ms",
        median(runtimeRounds), base, median(baselineRounds)));
    metrics.add(Metric.of("resident memory per connection", "bytes", rssPerConnection, base, baselineRssPerConnection));
    metrics.add(Metric.of("CPU per million deliveries, all server processes (rounds incl. warm-up)", "s", runtimeCpu,
        base, baselineCpu));
    notes.add("One process holds at most 20,000 open files here: each runtime holds " + perServer
        + " connections, from a client process of its own. Times are System.nanoTime of the INSERT (runtime) or of "
        + "the fire command (baseline) to the latest push any client received, comparable across processes.");
    notes.add("Rounds (ms), runtime: " + Arrays.toString(round1(runtimeRounds)) + "; baseline: "
        + Arrays.toString(round1(baselineRounds)));
    return new ScenarioResult(name(), title(), new LinkedHashMap<>(o.used()), metrics, counts, notes,
        (System.nanoTime() - started) / 1e9);
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
