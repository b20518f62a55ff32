package dev.slipstream.bench.core;

/**
 * One benchmark scenario. Each measures Slipstream and, in the same run, a baseline that does the
 * same job with nothing of Slipstream in it; every figure is reported with its ratio to it.
 *
 * <p>New scenarios (broadcast, connections per box, operator scale) implement this and are added
 * to {@link Scenarios}.
 */
public interface Scenario {

  /** The command-line name, e.g. {@code latency}. */
  String name();

  String title();

  /** Runs with the given options (sizes, durations); never longer than the scenario's time bound. */
  ScenarioResult run(BenchContext context, Options options) throws Exception;
}
