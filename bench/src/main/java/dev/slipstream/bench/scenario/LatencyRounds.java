package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.scenario.LatencySide.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The rounds of one side at one rate: median percentiles, totals, CPU per million deliveries. */
final class LatencyRounds {

  private final List<Sample> rounds;

  LatencyRounds(List<Sample> rounds) {
    this.rounds = rounds;
  }

  /** Percentile of the round histograms (microseconds), the median over the rounds, in ms. */
  double medianMillis(double percentile) {
    return FanOutScenario.median(each(s -> s.histogram().getValueAtPercentile(percentile) / 1000.0));
  }

  double maxMillis() {
    return FanOutScenario.max(each(s -> s.histogram().getMaxValue() / 1000.0));
  }

  long rows() {
    return (long) sum(s -> s.rows());
  }

  long expected() {
    return (long) sum(s -> s.expected());
  }

  long delivered() {
    return (long) sum(s -> s.delivered());
  }

  long closed() {
    return (long) sum(s -> s.closed());
  }

  /** CPU seconds of the server JVM per million deliveries, over all rounds. */
  double cpuPerMillion() {
    long delivered = delivered();
    return delivered == 0 ? Double.NaN : sum(Sample::cpuSeconds) / (delivered / 1e6);
  }

  double achievedRate() {
    return FanOutScenario.median(each(Sample::achievedRate));
  }

  List<Metric> compare(String label, LatencyRounds baseline, boolean issueTargets) {
    String n = " (median of " + rounds.size() + ")";
    String b = LatencyScenario.BARE;
    String shortfall = delivered() < expected()
        ? String.format(" (only %,d of %,d delivered)", delivered(), expected()) : "";
    List<Metric> m = new ArrayList<>();
    Metric p50 = Metric.of(label + shortfall + ", p50" + n, "ms", medianMillis(50), b, baseline.medianMillis(50));
    m.add(issueTargets ? p50.atMost(2, "≤ 2 ms") : p50);
    m.add(Metric.of(label + shortfall + ", p90" + n, "ms", medianMillis(90), b, baseline.medianMillis(90)));
    Metric p99 = Metric.of(label + shortfall + ", p99" + n, "ms", medianMillis(99), b, baseline.medianMillis(99));
    m.add(issueTargets ? p99.ratioAtMost(1.5) : p99);
    m.add(Metric.of(label + shortfall + ", p99.9" + n, "ms", medianMillis(99.9), b, baseline.medianMillis(99.9)));
    m.add(Metric.of(label + shortfall + ", max", "ms", maxMillis(), b, baseline.maxMillis()));
    m.add(Metric.of(label + ", CPU per million deliveries (server JVM)", "s", cpuPerMillion(), b,
        baseline.cpuPerMillion()));
    return m;
  }

  void count(Map<String, Long> counts, String prefix, int rate) {
    counts.put(prefix + "rows_" + rate, rows());
    counts.put(prefix + "expected_deliveries_" + rate, expected());
    counts.put(prefix + "delivered_" + rate, delivered());
    counts.put(prefix + "closed_" + rate, closed());
  }

  /** Notes on what did not go as planned: deliveries missing, clients closed, the writer short of the rate. */
  List<String> problems(String who, int rate) {
    List<String> notes = new ArrayList<>();
    if (delivered() < expected() || closed() > 0) {
      notes.add(String.format("%s at %,d rows/s: %,d of %,d deliveries arrived; %,d clients were closed as too slow.",
          who, rate, delivered(), expected(), closed()));
    }
    if (achievedRate() < rate * 0.95) {
      notes.add(String.format("%s's writer reached %.0f of %d rows/s (one commit per row, synchronous_commit=on).",
          who, achievedRate(), rate));
    }
    return notes;
  }

  private double[] each(ToDoubleFunction<Sample> f) {
    return rounds.stream().mapToDouble(f).toArray();
  }

  private double sum(ToDoubleFunction<Sample> f) {
    return rounds.stream().mapToDouble(f).sum();
  }
}
