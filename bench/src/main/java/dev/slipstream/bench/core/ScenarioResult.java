package dev.slipstream.bench.core;

import java.util.List;
import java.util.Map;

/**
 * What one scenario run produced: its figures next to their baselines, the sanity counts the smoke
 * test checks (expected versus delivered), and notes for the reader.
 *
 * @param counts named counts, e.g. {@code delivered} and {@code expected}
 */
public record ScenarioResult(String scenario, String title, Map<String, String> parameters, List<Metric> metrics,
    Map<String, Long> counts, List<String> notes, double seconds) {
}
