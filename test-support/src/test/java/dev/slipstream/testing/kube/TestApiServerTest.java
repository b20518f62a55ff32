package dev.slipstream.testing.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

/** The start waits out kube-api-test's midnight wrap only when a start could run into it. */
class TestApiServerTest {

  @Test
  void aStartFarFromMidnightDoesNotWait() {
    assertThat(TestApiServer.waitBeforeStart(LocalTime.of(12, 0))).isZero();
    assertThat(TestApiServer.waitBeforeStart(LocalTime.of(0, 0, 1))).isZero();
    assertThat(TestApiServer.waitBeforeStart(LocalTime.of(23, 56, 59))).isZero();
  }

  @Test
  void aStartWithinThreeTimeoutsOfMidnightWaitsUntilJustAfterIt() {
    // 23:58:59 is when a CI run's start failed at once.
    assertThat(TestApiServer.waitBeforeStart(LocalTime.of(23, 58, 59))).isEqualTo(Duration.ofSeconds(62));
    assertThat(TestApiServer.waitBeforeStart(LocalTime.of(23, 57, 1))).isEqualTo(Duration.ofSeconds(180));
    assertThat(TestApiServer.waitBeforeStart(LocalTime.MAX)).isEqualTo(Duration.ofNanos(1).plusSeconds(1));
  }
}
