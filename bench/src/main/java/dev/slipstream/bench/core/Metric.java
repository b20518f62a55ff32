package dev.slipstream.bench.core;

/**
 * One reported figure next to the baseline measured in the same run.
 *
 * @param name what is measured, e.g. "p99 latency, 1,000 subscribers × 100 rows/s"
 * @param unit "ms", "deliveries/s", "bytes", ...
 * @param value Slipstream's figure
 * @param baselineName what the baseline is, e.g. "pgjdbc reader"
 * @param baseline the baseline's figure in the same run (NaN when there is none)
 * @param target the target, as text ("≤ 2 ms", "≥ 0.8× baseline"), or "" for none
 * @param met whether the target is met (null when there is no target)
 */
public record Metric(String name, String unit, double value, String baselineName, double baseline, String target,
    Boolean met) {

  /** value / baseline: how many times the baseline's figure Slipstream's figure is. */
  public double ratio() {
    return baseline == 0 || Double.isNaN(baseline) ? Double.NaN : value / baseline;
  }

  public static Metric of(String name, String unit, double value, String baselineName, double baseline) {
    return new Metric(name, unit, value, baselineName, baseline, "", null);
  }

  /** A target on the value itself: lower is better, value ≤ limit. */
  public Metric atMost(double limit, String text) {
    return new Metric(name, unit, value, baselineName, baseline, text, Double.isNaN(value) ? null : value <= limit);
  }

  /** A target on the value itself: higher is better, value ≥ limit. */
  public Metric atLeast(double limit, String text) {
    return new Metric(name, unit, value, baselineName, baseline, text, Double.isNaN(value) ? null : value >= limit);
  }

  /** A target on the ratio to the baseline, higher is better: ratio ≥ limit. */
  public Metric ratioAtLeast(double limit) {
    return new Metric(name, unit, value, baselineName, baseline, "≥ " + trim(limit) + "× baseline",
        Double.isNaN(ratio()) ? null : ratio() >= limit);
  }

  /** A target on the ratio to the baseline, lower is better: ratio ≤ limit. */
  public Metric ratioAtMost(double limit) {
    return new Metric(name, unit, value, baselineName, baseline, "≤ " + trim(limit) + "× baseline",
        Double.isNaN(ratio()) ? null : ratio() <= limit);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
