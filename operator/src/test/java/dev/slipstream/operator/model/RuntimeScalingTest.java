package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.AutoscalingMode;
import dev.slipstream.api.v1alpha1.AutoscalingSpec;
import dev.slipstream.api.v1alpha1.ReplicaRange;
import dev.slipstream.api.v1alpha1.RuntimeSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuntimeScalingTest {

  @Test
  void aTenantWithoutRuntimeSpecReadsAsTheCrdsDefaults() {
    RuntimeScaling scaling = RuntimeScaling.of(TenantFixtures.minimal("acme", "acme"));

    assertThat(scaling).isEqualTo(new RuntimeScaling(AutoscalingMode.OPERATOR, 1, 10, null, 10_000, Duration.ofMinutes(5)));
  }

  @Test
  void readsEveryField() {
    var tenant = TenantFixtures.minimal("acme", "acme");
    RuntimeSpec runtime = new RuntimeSpec();
    ReplicaRange replicas = new ReplicaRange(2, 6);
    replicas.setDesired(4);
    runtime.setReplicas(replicas);
    runtime.setTargetClientsPerReplica(500);
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMode(AutoscalingMode.EXTERNAL);
    autoscaling.setScaleDownStabilization("1m30s");
    runtime.setAutoscaling(autoscaling);
    tenant.getSpec().setRuntime(runtime);

    assertThat(RuntimeScaling.of(tenant))
        .isEqualTo(new RuntimeScaling(AutoscalingMode.EXTERNAL, 2, 6, 4, 500, Duration.ofSeconds(90)));
  }

  @Test
  void podsForClientsRoundUpAndClampKeepsTheBounds() {
    RuntimeScaling scaling = new RuntimeScaling(AutoscalingMode.OPERATOR, 2, 5, null, 10_000, Duration.ZERO);

    assertThat(scaling.podsFor(0)).isZero();
    assertThat(scaling.podsFor(1)).isEqualTo(1);
    assertThat(scaling.podsFor(10_000)).isEqualTo(1);
    assertThat(scaling.podsFor(10_001)).isEqualTo(2);
    assertThat(scaling.clamp(0)).isEqualTo(2);
    assertThat(scaling.clamp(9)).isEqualTo(5);
  }

  @Test
  void durationsAsTheCrdWritesThem() {
    assertThat(RuntimeScaling.duration("f", "0s")).isZero();
    assertThat(RuntimeScaling.duration("f", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(RuntimeScaling.duration("f", "1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(RuntimeScaling.duration("f", "1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> RuntimeScaling.duration("spec.runtime.autoscaling.scaleDownStabilization", "5 minutes"))
        .isInstanceOf(InvalidTenantException.class).hasMessageStartingWith("spec.runtime.autoscaling.scaleDownStabilization");
  }

  @Test
  void theSelectorStringIsThePodsSelector() {
    assertThat(RuntimeLabels.selectorString("acme"))
        .isEqualTo("app.kubernetes.io/name=slipstream-runtime,app.kubernetes.io/instance=acme");
  }
}
