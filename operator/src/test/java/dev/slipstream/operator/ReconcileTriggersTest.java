package dev.slipstream.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileTriggersTest {

  @Test
  void countsTheRoundsEachControllerStartsRetriesApart() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ReconcileTriggers triggers = new ReconcileTriggers(registry);
    RealtimeTenant tenant = new RealtimeTenant();
    RealtimePublication publication = new RealtimePublication();
    triggers.reconcileCustomResource(tenant, null, Map.of(Constants.CONTROLLER_NAME, "realtimetenant"));
    triggers.reconcileCustomResource(publication, null, Map.of(Constants.CONTROLLER_NAME, "realtimepublication"));
    triggers.reconcileCustomResource(tenant, attempt(1), Map.of(Constants.CONTROLLER_NAME, "realtimetenant"));

    assertThat(started(registry, "realtimetenant", "false")).isEqualTo(1.0);
    assertThat(started(registry, "realtimetenant", "true")).isEqualTo(1.0);
    assertThat(started(registry, "realtimepublication", "false")).isEqualTo(1.0);
  }

  private static double started(SimpleMeterRegistry registry, String controller, String retry) {
    return registry.get(ReconcileTriggers.STARTED).tag("controller", controller).tag("retry", retry).counter().count();
  }

  private static RetryInfo attempt(int count) {
    return new RetryInfo() {
      @Override
      public int getAttemptCount() {
        return count;
      }

      @Override
      public boolean isLastAttempt() {
        return false;
      }
    };
  }
}
