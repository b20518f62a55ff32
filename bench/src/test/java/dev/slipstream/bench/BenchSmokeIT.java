package dev.slipstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Scenarios;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario at tiny sizes, so the harness cannot rot: each must deliver exactly what it
 * expects and produce a figure and a baseline for every row. Speed is not asserted; full runs are
 * {@code bin/bench}'s business, not the suite's.
 */
class BenchSmokeIT {

  @TempDir
  static Path work;
  private static BenchContext context;

  @BeforeAll
  static void context() {
    context = new BenchContext(work, List.of("-Xmx256m"));
  }

  private static ScenarioResult run(String scenario, Map<String, String> options) throws Exception {
    ScenarioResult result = Scenarios.all().get(scenario).run(context, new Options(options));
    assertThat(result.metrics()).isNotEmpty().allSatisfy(BenchSmokeIT::sane);
    return result;
  }

  /** Finite figures; non-negative except memory growth, which a collection can make negative at tiny sizes. */
  private static void sane(Metric m) {
    assertThat(m.value()).as(m.name()).isFinite();
    if (!m.unit().equals("bytes")) {
      assertThat(m.value()).as(m.name()).isGreaterThanOrEqualTo(0);
    }
    // A figure without a baseline (reconciles per second) says so with an empty baseline name.
    if (!m.baselineName().isEmpty() && !m.baselineName().contains("pg_recvlogical")) {
      assertThat(m.baseline()).as(m.name() + " baseline").isFinite();
    }
  }

  @Test
  void latency() throws Exception {
    ScenarioResult r = run("latency", Map.ofEntries(Map.entry("subscribers", "20"), Map.entry("rates", "50"),
        Map.entry("seconds", "1"), Map.entry("rounds", "2"), Map.entry("warmupSeconds", "0.5"),
        Map.entry("clientThreads", "1"), Map.entry("knee", "true"), Map.entry("kneeRates", "50,100"),
        Map.entry("kneeSeconds", "1"), Map.entry("kneeWarmupSeconds", "0.5")));
    assertThat(r.counts().get("rows_50")).isPositive();
    assertThat(r.counts().get("delivered_50")).isEqualTo(r.counts().get("expected_deliveries_50"))
        .isEqualTo(r.counts().get("rows_50") * 20);
    assertThat(r.counts().get("bare_rows_50")).isPositive();
    assertThat(r.counts().get("bare_delivered_50")).isEqualTo(r.counts().get("bare_expected_deliveries_50"))
        .isEqualTo(r.counts().get("bare_rows_50") * 20);
    assertThat(r.counts().get("knee_delivered")).isEqualTo(r.counts().get("knee_expected_deliveries")).isPositive();
    assertThat(r.counts().get("closed_early")).isZero();
    assertThat(r.counts().get("bare_closed_early")).isZero();
    // Five percentiles and CPU per million deliveries at the one rate, and the knee.
    assertThat(r.metrics()).hasSize(7);
  }

  @Test
  void fanOut() throws Exception {
    ScenarioResult r = run("fanout", Map.of("subscribers", "50", "eventsPerFlush", "1,3", "rounds", "2",
        "warmupRounds", "1", "clientThreads", "1"));
    assertThat(r.counts().get("runtime_delivered")).isEqualTo(50L * (1 + 3) * 3)
        .isEqualTo(r.counts().get("expected_deliveries")).isEqualTo(r.counts().get("baseline_delivered"));
    assertThat(r.counts().get("runtime_closed_early")).isZero();
    assertThat(r.metrics()).hasSize(8);
  }

  @Test
  void decode() throws Exception {
    ScenarioResult r = run("decode", Map.of("rows", "3000", "txRows", "500", "rounds", "2"));
    assertThat(r.counts().get("rounds")).isEqualTo(2);
    assertThat(r.counts().get("runtime_delivered")).isEqualTo(3000);
    assertThat(r.counts().get("pgjdbc_rows")).isEqualTo(3000);
    assertThat(r.counts().get("debezium_rows")).isEqualTo(3000);
    assertThat(r.counts().get("runtime_closed_early")).isZero();
    // Rates against three baselines and CPU per million rows of each reader and walsender.
    assertThat(r.metrics()).hasSize(12).filteredOn(m -> m.name().startsWith("CPU")).hasSize(7);
  }

  @Test
  void memory() throws Exception {
    ScenarioResult r = run("memory", Map.of("connections", "200", "clientThreads", "1"));
    assertThat(r.counts().get("runtime_subscriptions")).isEqualTo(200);
    assertThat(r.counts().get("baseline_subscriptions")).isEqualTo(200);
    assertThat(r.counts().get("runtime_closed_early")).isZero();
  }

  @Test
  void broadcast() throws Exception {
    ScenarioResult r = run("broadcast", Map.of("clients", "20", "roomSize", "10", "seconds", "2",
        "warmupSeconds", "1", "clientThreads", "1"));
    assertThat(r.counts().get("sent")).isPositive();
    // Deliveries in flight at the window's edges fall either side of it, and a loaded machine
    // widens the edges: most, not all, land inside. A broken relay delivers none.
    assertThat(r.counts().get("received")).isGreaterThan(r.counts().get("expected") / 2)
        .isLessThanOrEqualTo(r.counts().get("expected") * 3 / 2);
  }

  @Test
  void connections() throws Exception {
    ScenarioResult r = run("connections", Map.of("runtimes", "2", "connectionsPerRuntime", "50", "rounds", "2"));
    assertThat(r.counts().get("runtime_deliveries")).isEqualTo(r.counts().get("expected_per_phase")).isEqualTo(300L);
    assertThat(r.counts().get("bare_deliveries")).isEqualTo(300L);
    assertThat(r.counts().get("fired_deliveries")).isEqualTo(300L);
  }

  @Test
  void operatorScale() throws Exception {
    ScenarioResult r = run("operator", Map.of("tenants", "5", "reconcileThreads", "2"));
    assertThat(r.counts().get("ready")).isEqualTo(5L).isEqualTo(r.counts().get("expected"));
    assertThat(r.counts().get("slots")).isEqualTo(5L);
  }

  @Test
  void relay() throws Exception {
    ScenarioResult r = run("relay", Map.of("pods", "3", "subscribers", "6", "rate", "20", "seconds", "2",
        "warmupSeconds", "1", "rounds", "1", "burstRows", "2000", "clientThreads", "1"));
    assertThat(r.counts().get("tenant_leaders")).isEqualTo(1L);
    assertThat(r.counts().get("tenant_walsenders")).isEqualTo(1L);
    assertThat(r.counts().get("solo_walsenders")).isEqualTo(3L);
    assertThat(r.counts().get("tenant_delivered")).isEqualTo(r.counts().get("tenant_expected")).isPositive();
    assertThat(r.counts().get("solo_delivered")).isEqualTo(r.counts().get("solo_expected")).isPositive();
    assertThat(r.counts().get("burst_followers_done")).isEqualTo(2L);
  }
}
