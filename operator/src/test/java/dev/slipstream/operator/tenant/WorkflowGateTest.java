package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WorkflowGateTest {

  private static final ResourceID ACME = new ResourceID("acme", "ns");
  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  private final WorkflowGate gate = new WorkflowGate();

  @Test
  void theFirstRoundRunsTheWorkflowThenOnlyAChangeOrTheRecheckDoes() {
    assertThat(gate.due(ACME, "a", T0)).as("first round of this process").isTrue();
    gate.ran(ACME, "a", T0.plusSeconds(60));

    assertThat(gate.due(ACME, "a", T0.plusSeconds(5))).as("a pod's report: nothing the workflow reads").isFalse();
    assertThat(gate.due(ACME, "b", T0.plusSeconds(5))).as("what the workflow reads changed").isTrue();
    assertThat(gate.due(ACME, "a", T0.plusSeconds(60))).as("the recheck").isTrue();
    assertThat(gate.nextDue(ACME)).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void itSaysWhyTheWorkflowRuns() {
    assertThat(gate.why(ACME, "a", T0)).isEqualTo(WorkflowGate.Why.FIRST);
    gate.ran(ACME, "a", T0.plusSeconds(60));
    assertThat(gate.why(ACME, "a", T0.plusSeconds(5))).isNull();
    assertThat(gate.why(ACME, "b", T0.plusSeconds(5))).isEqualTo(WorkflowGate.Why.CHANGED);
    assertThat(gate.why(ACME, "a", T0.plusSeconds(60))).isEqualTo(WorkflowGate.Why.RECHECK);
    gate.failed(ACME, "a", T0);
    assertThat(gate.why(ACME, "a", T0.plusSeconds(2))).isEqualTo(WorkflowGate.Why.RETRY);
    assertThat(WorkflowGate.Why.RECHECK.tag()).isEqualTo("recheck");
  }

  @Test
  void withoutARecheckOnlyAChangeRunsIt() {
    gate.ran(ACME, "a", null);
    assertThat(gate.due(ACME, "a", T0.plus(Duration.ofDays(1)))).isFalse();
    assertThat(gate.nextDue(ACME)).isNull();
    assertThat(gate.due(ACME, "b", T0)).isTrue();
  }

  @Test
  void afterAFailureItWaitsForTheBackoffWhateverBringsTheTenantBack() {
    gate.ran(ACME, "a", T0.plusSeconds(60));
    gate.failed(ACME, "a", T0);
    assertThat(gate.due(ACME, "a", T0.plusSeconds(1))).as("a pod's report during the backoff").isFalse();
    assertThat(gate.due(ACME, "b", T0.plusSeconds(1))).as("a fixed spec: at once").isTrue();
    assertThat(gate.due(ACME, "a", T0.plusSeconds(2))).isTrue();

    gate.failed(ACME, "a", T0.plusSeconds(2));
    assertThat(gate.nextDue(ACME)).as("doubled").isEqualTo(T0.plusSeconds(6));
    for (int i = 0; i < 30; i++) {
      gate.failed(ACME, "a", T0);
    }
    assertThat(gate.nextDue(ACME)).as("at most five minutes").isEqualTo(T0.plus(WorkflowGate.LONGEST_RETRY));

    gate.ran(ACME, "a", null);
    assertThat(gate.due(ACME, "a", T0.plusSeconds(1))).as("a success resets it").isFalse();
  }

  @Test
  void aForgottenTenantStartsOver() {
    gate.ran(ACME, "a", null);
    gate.forget(ACME);
    assertThat(gate.due(ACME, "a", T0)).isTrue();
  }
}
