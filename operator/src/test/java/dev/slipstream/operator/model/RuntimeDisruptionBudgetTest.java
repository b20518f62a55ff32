package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static dev.slipstream.operator.model.TenantFixtures.inputsFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReplicaRange;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

class RuntimeDisruptionBudgetTest {

  @Test
  void letsOnePodAtATimeGo() {
    PodDisruptionBudget budget = TenantFixtures.acmeModel().generatePodDisruptionBudget();
    assertThat(budget.getApiVersion()).isEqualTo("policy/v1");
    TenantFixtures.assertRuntimeMetadata(budget, "acme-runtime");
    assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(budget.getSpec().getMinAvailable()).isNull();
    assertThat(budget.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    assertThat(budget.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(TenantFixtures.SELECTOR);
  }

  @Test
  void sameBudgetForASingleReplicaTenant() {
    RealtimeTenant tenant = acmeExample();
    tenant.getSpec().getRuntime().setReplicas(new ReplicaRange(1, 1));
    PodDisruptionBudget single = RuntimeModel.fromTenant(tenant, inputsFor(tenant).build()).generatePodDisruptionBudget();
    assertThat(single).isEqualTo(TenantFixtures.acmeModel().generatePodDisruptionBudget());
  }
}
