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

  @Test
  void manyResourcesStretchTheIntervalToTheirShareOfThePace() {
    Duration interval = Duration.ofSeconds(30);
    assertThat(Recheck.paced(interval, 20, 10)).as("few: the configured interval").isEqualTo(interval);
    assertThat(Recheck.paced(interval, 300, 10)).isEqualTo(interval);
    assertThat(Recheck.paced(interval, 1_000, 10)).as("1,000 at 10 a second").isEqualTo(Duration.ofSeconds(100));
  }

  @Test
  void thePaceFollowsTheLastCount() {
    RecheckPace pace = new RecheckPace(Duration.ofSeconds(30), 10);
    assertThat(pace.interval()).as("before any count").isEqualTo(Duration.ofSeconds(30));
    pace.count(1_000);
    assertThat(pace.interval()).isEqualTo(Duration.ofSeconds(100));
    pace.count(50);
    assertThat(pace.interval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theEarlierOfTwoMomentsEitherMayBeAbsent() {
    java.time.Instant a = java.time.Instant.parse("2026-12-04T12:00:00Z");
    java.time.Instant b = a.plusSeconds(1);
    assertThat(Recheck.earliest(a, b)).isEqualTo(a);
    assertThat(Recheck.earliest(b, a)).isEqualTo(a);
    assertThat(Recheck.earliest(null, b)).isEqualTo(b);
    assertThat(Recheck.earliest(a, null)).isEqualTo(a);
    assertThat(Recheck.earliest(null, null)).isNull();
  }
}
