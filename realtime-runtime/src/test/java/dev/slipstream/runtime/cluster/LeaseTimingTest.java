package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseTimingTest {

  @Test
  void theLeaderStopsAThirdOfTheLeaseBeforeItRunsOut() {
    LeaseTiming timing = LeaseTiming.of(Duration.ofSeconds(5));

    assertThat(timing.leaseDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(timing.renewDeadline().toMillis()).isEqualTo(3333);
    assertThat(timing.retryPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(timing.requestTimeout()).isLessThan(timing.renewDeadline());
  }

  @Test
  void theLeaseCountsWholeSecondsAsTheLeaseObjectStoresThem() {
    assertThat(LeaseTiming.of(Duration.ofMillis(2900)).leaseDuration()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> LeaseTiming.of(Duration.ofMillis(1900))).isInstanceOf(IllegalArgumentException.class);
  }
}
