package dev.slipstream.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.AutoscalingMode;
import dev.slipstream.api.v1alpha1.PendingScaleDown;
import dev.slipstream.operator.model.RuntimeScaling;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final RuntimeScaling OPERATOR =
      new RuntimeScaling(AutoscalingMode.OPERATOR, 1, 10, null, 10_000, Duration.ofMinutes(5));

  @Test
  void scalesUpAtOnceWithItsReasonInTheEvent() {
    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 1, 25_000, List.of(), null, NOW);

    assertThat(decision.replicas()).isEqualTo(3);
    assertThat(decision.pending()).isNull();
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALED_UP);
    assertThat(decision.event().message())
        .isEqualTo("Scaled runtime from 1 to 3: 25,000 clients over a target of 10,000 per replica");
  }

  @Test
  void staysAtTheMinimumWithoutClients() {
    RuntimeScaling atLeastTwo = new RuntimeScaling(AutoscalingMode.OPERATOR, 2, 10, null, 10_000, Duration.ofMinutes(5));

    assertThat(Autoscaler.decide(atLeastTwo, 2, 0, List.of(), null, NOW).event()).isNull();
    Autoscaler.Decision fromOne = Autoscaler.decide(atLeastTwo, 1, 0, List.of(), null, NOW);
    assertThat(fromOne.replicas()).isEqualTo(2);
    assertThat(fromOne.event().message())
        .isEqualTo("Scaled runtime from 1 to 2: 0 clients over a target of 10,000 per replica, and replicas.min is 2");
  }

  @Test
  void capsAtTheMaximumAndSaysSo() {
    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 4, 250_001, List.of(), null, NOW);

    assertThat(decision.replicas()).isEqualTo(10);
    assertThat(decision.event().message()).isEqualTo("Scaled runtime from 4 to 10: 250,001 clients over a target of "
        + "10,000 per replica want 26, capped at replicas.max 10");
  }

  @Test
  void aLoweredMaximumScalesDownAtOnce() {
    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 12, 250_000, List.of(), null, NOW);

    assertThat(decision.replicas()).isEqualTo(10);
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALED_DOWN);
    assertThat(decision.event().message()).isEqualTo("Scaled runtime from 12 to 10: replicas.max is 10");
  }

  @Test
  void exactlyOnTargetIsOneReplicaPerTarget() {
    assertThat(Autoscaler.decide(OPERATOR, 2, 20_000, List.of(), null, NOW).event()).isNull();
    assertThat(Autoscaler.decide(OPERATOR, 2, 20_001, List.of(), null, NOW).replicas()).isEqualTo(3);
  }

  @Test
  void aLowerWantedCountWaitsForTheWindow() {
    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 3, 5_000, List.of(), null, NOW);

    assertThat(decision.replicas()).isEqualTo(3);
    assertThat(decision.pending().getSince()).isEqualTo(NOW.toString());
    assertThat(decision.pending().getReplicas()).isEqualTo(1);
    assertThat(decision.recheckAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALE_DOWN_PENDING);
    assertThat(decision.event().message()).isEqualTo("Would scale runtime down from 3 to 1: 5,000 clients over a "
        + "target of 10,000 per replica; waiting until that has held for 5m (scaleDownStabilization), until "
        + "2026-03-01T12:05:00Z");
  }

  @Test
  void whileWaitingNothingIsSaidAndTheHighestWantedCountIsKept() {
    PendingScaleDown pending = new PendingScaleDown(NOW.toString(), 1);

    Autoscaler.Decision later = Autoscaler.decide(OPERATOR, 3, 15_000, List.of(), pending, NOW.plusSeconds(60));
    assertThat(later.replicas()).isEqualTo(3);
    assertThat(later.event()).isNull();
    assertThat(later.pending().getSince()).isEqualTo(NOW.toString());
    assertThat(later.pending().getReplicas()).isEqualTo(2);
    assertThat(later.recheckAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
  }

  @Test
  void afterTheWindowScalesDownToTheHighestCountWantedInIt() {
    PendingScaleDown pending = new PendingScaleDown(NOW.toString(), 2);

    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 3, 5_000, List.of(), pending, NOW.plus(Duration.ofMinutes(5)));
    assertThat(decision.replicas()).isEqualTo(2);
    assertThat(decision.pending()).isNull();
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALED_DOWN);
    assertThat(decision.event().message()).isEqualTo("Scaled runtime from 3 to 2: the most wanted over the last 5m "
        + "(scaleDownStabilization); now 5,000 clients over a target of 10,000 per replica");

    Autoscaler.Decision toWanted = Autoscaler.decide(OPERATOR, 3, 5_000, List.of(),
        new PendingScaleDown(NOW.toString(), 1), NOW.plus(Duration.ofMinutes(6)));
    assertThat(toWanted.replicas()).isEqualTo(1);
    assertThat(toWanted.event().message()).isEqualTo("Scaled runtime from 3 to 1: 5,000 clients over a target of "
        + "10,000 per replica, for 5m (scaleDownStabilization)");
  }

  @Test
  void clientsComingBackCancelTheWait() {
    PendingScaleDown pending = new PendingScaleDown(NOW.toString(), 1);

    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 3, 25_000, List.of(), pending, NOW.plusSeconds(30));
    assertThat(decision.replicas()).isEqualTo(3);
    assertThat(decision.pending()).isNull();
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALE_DOWN_CANCELLED);
    assertThat(decision.event().message())
        .isEqualTo("Not scaling runtime down from 3 after all: 25,000 clients over a target of 10,000 per replica");
  }

  @Test
  void aReadyPodWithoutAReportHoldsTheScaleDownBackButNotAScaleUp() {
    PendingScaleDown pending = new PendingScaleDown(NOW.toString(), 1);

    Autoscaler.Decision held = Autoscaler.decide(OPERATOR, 3, 5_000, List.of("acme-runtime-c"), pending,
        NOW.plus(Duration.ofMinutes(10)));
    assertThat(held.replicas()).isEqualTo(3);
    assertThat(held.pending()).isSameAs(pending);
    assertThat(held.event()).isNull();
    assertThat(held.heldBack()).contains("acme-runtime-c");

    assertThat(Autoscaler.decide(OPERATOR, 3, 35_000, List.of("acme-runtime-c"), null, NOW).replicas()).isEqualTo(4);
  }

  @Test
  void aWaitThatNoLongerFitsStartsOver() {
    // The Deployment went down to 2 some other way: a wait for 2 means nothing any more.
    PendingScaleDown stale = new PendingScaleDown(NOW.minusSeconds(600).toString(), 2);

    Autoscaler.Decision decision = Autoscaler.decide(OPERATOR, 2, 0, List.of(), stale, NOW);
    assertThat(decision.replicas()).isEqualTo(2);
    assertThat(decision.pending().getSince()).isEqualTo(NOW.toString());
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALE_DOWN_PENDING);
  }

  @Test
  void aZeroWindowScalesDownAtOnce() {
    RuntimeScaling noWait = new RuntimeScaling(AutoscalingMode.OPERATOR, 1, 10, null, 10_000, Duration.ZERO);

    Autoscaler.Decision decision = Autoscaler.decide(noWait, 3, 0, List.of(), null, NOW);
    assertThat(decision.replicas()).isEqualTo(1);
    assertThat(decision.event().reason()).isEqualTo(Autoscaler.SCALED_DOWN);
  }

  @Test
  void externalModeFollowsTheDesiredCountBothWaysAtOnce() {
    RuntimeScaling external = new RuntimeScaling(AutoscalingMode.EXTERNAL, 1, 5, 3, 10_000, Duration.ofMinutes(5));

    Autoscaler.Decision up = Autoscaler.decide(external, 1, 999_999, List.of(), new PendingScaleDown(NOW.toString(), 1), NOW);
    assertThat(up.replicas()).isEqualTo(3);
    assertThat(up.pending()).isNull();
    assertThat(up.event().reason()).isEqualTo(Autoscaler.SCALED_UP);
    assertThat(up.event().message()).isEqualTo("Scaled runtime from 1 to 3: spec.runtime.replicas.desired is 3 "
        + "(autoscaling.mode External: kubectl scale or a HorizontalPodAutoscaler)");

    Autoscaler.Decision down = Autoscaler.decide(external, 5, 0, List.of(), null, NOW);
    assertThat(down.replicas()).isEqualTo(3);
    assertThat(down.event().reason()).isEqualTo(Autoscaler.SCALED_DOWN);

    assertThat(Autoscaler.decide(external, 3, 0, List.of(), null, NOW).event()).isNull();
  }

  @Test
  void externalModeKeepsTheCountWithinTheBounds() {
    RuntimeScaling outside = new RuntimeScaling(AutoscalingMode.EXTERNAL, 2, 5, 9, 10_000, Duration.ofMinutes(5));

    Autoscaler.Decision decision = Autoscaler.decide(outside, 2, 0, List.of(), null, NOW);
    assertThat(decision.replicas()).isEqualTo(5);
    assertThat(decision.event().message()).contains("desired is 9, kept within replicas.min..replicas.max 2..5");
  }
}
