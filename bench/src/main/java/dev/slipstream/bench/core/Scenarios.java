package dev.slipstream.bench.core;

import dev.slipstream.bench.scenario.BroadcastScenario;
import dev.slipstream.bench.scenario.ConnectionsScenario;
import dev.slipstream.bench.scenario.DecodeScenario;
import dev.slipstream.bench.scenario.FanOutScenario;
import dev.slipstream.bench.scenario.LatencyScenario;
import dev.slipstream.bench.scenario.MemoryScenario;
import dev.slipstream.bench.scenario.OperatorScaleScenario;
import dev.slipstream.bench.scenario.RelayScenario;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scenarios {@code bin/bench} knows, in the order {@code all} runs them. Numbers follow the
 * issue.
 */
public final class Scenarios {

  private Scenarios() {
  }

  public static Map<String, Scenario> all() {
    Map<String, Scenario> scenarios = new LinkedHashMap<>();
    for (Scenario s : List.of(new LatencyScenario(), new FanOutScenario(), new DecodeScenario(),
        new MemoryScenario(), new BroadcastScenario(), new ConnectionsScenario(), new OperatorScaleScenario(),
        new RelayScenario())) {
      scenarios.put(s.name(), s);
    }
    return scenarios;
  }
}
