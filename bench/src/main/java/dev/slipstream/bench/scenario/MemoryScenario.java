package dev.slipstream.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.testing.postgres.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 5. Memory per connection. N idle WebSocket clients, each joined to a channel with one
 * postgres_changes binding. The server JVM's own counters after full collections, before and after
 * the clients connect: heap, direct memory, and the process's RSS, per connection. The baseline:
 * the minimal Netty WebSocket server holding the same number of idle connections.
 */
public final class MemoryScenario implements Scenario {

  private static final String JOIN = "[\"1\",\"1\",\"realtime:bench\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"bench_memory\",\"filter\":\"room=eq.lobby\"}]}}]";
  private static final String PATH = "/realtime/v1/websocket?vsn=2.0.0";

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public String title() {
    return "Memory per connection";
  }

  /** Per-connection growth of one server. */
  private record Growth(double heap, double direct, double rss, long connections) {

    double total() {
      return heap + direct;
    }
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int connections = o.integer("connections", 15_000);
    int clientThreads = o.integer("clientThreads", 2);
    List<String> notes = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    Growth runtimeGrowth;
    Growth baselineGrowth;
    TestPostgres pg = context.startPostgres();
    try (LoadGenerator generator = new LoadGenerator(clientThreads)) {
      pg.execute("CREATE TABLE bench_memory (id bigserial PRIMARY KEY, room text NOT NULL, body text NOT NULL)",
          "CREATE PUBLICATION bench_memory FOR TABLE bench_memory",
          "SELECT pg_create_logical_replication_slot('bench_memory', 'pgoutput')");
      try (ChildJvm runtime = context.startRuntime("memory-runtime", pg, "bench_memory", "bench_memory", List.of())) {
        runtimeGrowth = measure(context, runtime, generator, connections, counts, "runtime");
      }
      try (ChildJvm baseline = context.startBaselineServer("memory-baseline")) {
        baselineGrowth = measure(context, baseline, generator, connections, counts, "baseline");
      }
    } finally {
      pg.stop();
    }
    List<Metric> metrics = new ArrayList<>();
    String at = String.format(" at %,d idle subscribed WebSocket connections", connections);
    String base = "minimal Netty WebSocket server";
    metrics.add(Metric.of("heap + direct per connection" + at, "bytes", runtimeGrowth.total(), base,
        baselineGrowth.total()).atMost(4096, "≤ 4 KB"));
    metrics.add(Metric.of("heap per connection", "bytes", runtimeGrowth.heap(), base, baselineGrowth.heap()));
    metrics.add(Metric.of("direct memory per connection", "bytes", runtimeGrowth.direct(), base,
        baselineGrowth.direct()));
    metrics.add(Metric.of("process RSS per connection", "bytes", runtimeGrowth.rss(), base, baselineGrowth.rss()));
    notes.add("Growth between the server with no clients and with all clients joined, each after three "
        + "System.gc() in the server JVM: heap from MemoryMXBean, direct = the JDK's direct buffer pool + Netty's "
        + "own direct counter; the allocators' own views (Netty's default and PooledByteBufAllocator.DEFAULT, which the "
        + "runtime uses for pre-framed changes) are in the counts. Kernel socket buffers are in neither.");
    return new ScenarioResult(name(), title(), o.used(), metrics, counts, notes, (System.nanoTime() - started) / 1e9);
  }

  private static Growth measure(BenchContext context, ChildJvm server, LoadGenerator generator, int connections,
      Map<String, Long> counts, String who) throws Exception {
    JsonNode before = server.call("measure", Duration.ofMinutes(1));
    JsonNode after;
    long joined;
    try (LoadGenerator.Clients clients = generator.connect(server.port(), PATH, connections, JOIN,
        (client, content, nanos) -> { }, Duration.ofMinutes(3))) {
      joined = server.call("stats", Duration.ofSeconds(30)).get("subscriptions").asLong();
      after = server.call("measure", Duration.ofMinutes(1));
      // Where the heap went: the live class histogram with every client connected.
      java.nio.file.Path histogram = context.workDir().resolve("memory-" + who + "-histogram.txt");
      java.nio.file.Files.createDirectories(histogram.getParent());
      java.nio.file.Files.writeString(histogram, server.call("histogram", Duration.ofMinutes(1)).get("histogram")
          .asText());
      counts.put(who + "_closed_early", clients.closedEarly());
    }
    counts.put(who + "_subscriptions", joined);
    for (String key : List.of("heap", "direct", "rss", "pooled_direct", "default_allocator_direct")) {
      counts.put(who + "_" + key + "_before", before.get(key).asLong());
      counts.put(who + "_" + key + "_after", after.get(key).asLong());
    }
    if (who.equals("runtime")) {
      counts.put("allocator_is_" + after.get("default_allocator").asText(), 1L);
    }
    return new Growth(per(before, after, "heap", connections), per(before, after, "direct", connections),
        per(before, after, "rss", connections), joined);
  }

  private static double per(JsonNode before, JsonNode after, String key, int connections) {
    return (after.get(key).asLong() - before.get(key).asLong()) / (double) connections;
  }
}
