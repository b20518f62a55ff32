package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecheckTest {

  @Test
  void staysWithinATenthAboveTheIntervalAndSpreads() {
    Duration interval = Duration.ofSeconds(30);
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      Duration next = Recheck.after(interval);
      assertThat(next).isBetween(interval, Duration.ofSeconds(33));
      seen.add(next);
    }
    assertThat(seen).as("resources applied together are spread out").hasSizeGreaterThan(100);
  }
}
