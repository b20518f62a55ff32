package dev.slipstream.runtime.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.replication.ReceiveDeadline.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReceiveDeadlineTest {

  private static final long S = 1_000_000_000L;

  @Test
  void aSilenceIsProbedEveryThirdAndGivenUpAtTheTimeout() {
    ReceiveDeadline deadline = new ReceiveDeadline(Duration.ofSeconds(30), 0);

    assertThat(deadline.check(0, 9 * S)).isEqualTo(Verdict.ALIVE);
    assertThat(deadline.check(0, 10 * S)).isEqualTo(Verdict.PROBE);
    assertThat(deadline.check(0, 11 * S)).as("probed already").isEqualTo(Verdict.ALIVE);
    assertThat(deadline.check(0, 20 * S)).isEqualTo(Verdict.PROBE);
    assertThat(deadline.check(0, 29 * S)).isEqualTo(Verdict.ALIVE);
    assertThat(deadline.check(0, 30 * S)).isEqualTo(Verdict.EXPIRED);
  }

  @Test
  void anyByteStartsTheSilenceAgain() {
    ReceiveDeadline deadline = new ReceiveDeadline(Duration.ofSeconds(30), 0);

    assertThat(deadline.check(0, 10 * S)).isEqualTo(Verdict.PROBE);
    assertThat(deadline.check(10 * S + 1000, 25 * S)).as("the keepalive that answered the probe").isEqualTo(Verdict.PROBE);
    assertThat(deadline.check(24 * S, 39 * S)).isEqualTo(Verdict.PROBE);
    assertThat(deadline.check(24 * S, 48 * S)).isEqualTo(Verdict.ALIVE);
    assertThat(deadline.check(24 * S, 49 * S)).isEqualTo(Verdict.PROBE);
    assertThat(deadline.check(24 * S, 54 * S)).isEqualTo(Verdict.EXPIRED);
  }

  @Test
  void itLooksOftenEnoughToProbeAndExpireOnTime() {
    assertThat(new ReceiveDeadline(Duration.ofSeconds(30), 0).waitMillis()).isEqualTo(500);
    assertThat(new ReceiveDeadline(Duration.ofSeconds(3), 0).waitMillis()).isEqualTo(250);
  }
}
