package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.Metric;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Percentile rows of two latency histograms (microseconds) reported in milliseconds. */
final class Latencies {

  private Latencies() {
  }

  static List<Metric> compare(String what, Histogram value, Histogram baseline, String baselineName) {
    return List.of(
        row(what + ", p50", value.getValueAtPercentile(50), baseline.getValueAtPercentile(50), baselineName),
        row(what + ", p90", value.getValueAtPercentile(90), baseline.getValueAtPercentile(90), baselineName),
        row(what + ", p99", value.getValueAtPercentile(99), baseline.getValueAtPercentile(99), baselineName),
        row(what + ", p99.9", value.getValueAtPercentile(99.9), baseline.getValueAtPercentile(99.9), baselineName),
        row(what + ", max", value.getMaxValue(), baseline.getMaxValue(), baselineName));
  }

  private static Metric row(String name, long micros, long baselineMicros, String baselineName) {
    return Metric.of(name, "ms", micros / 1000.0, baselineName, baselineMicros / 1000.0);
  }

  static Histogram histogram() {
    return new Histogram(3_600_000_000L, 3);
  }
}
