package dev.slipstream.operator.tenant.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one Deployment informer serves the workflow and the runtime's status loop: its cache keeps what both read. */
class AppliedTemplatesTest {

  @Test
  void aCachedDeploymentKeepsWhatTheWorkflowAndTheStatusLoopRead() {
    Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("acme-runtime").withNamespace("ns")
        .withManagedFields(List.of(
            new ManagedFieldsEntryBuilder().withManager(OperatorConfig.FIELD_MANAGER).withOperation("Apply").build(),
            new ManagedFieldsEntryBuilder().withManager(OperatorConfig.RUNTIME_FIELD_MANAGER).withOperation("Apply")
                .withFieldsV1(fields(Map.of("f:spec", Map.of("f:replicas", Map.of())))).build()))
        .endMetadata()
        .withNewSpec().withReplicas(3).withNewTemplate().withNewSpec().addNewContainer().withName("runtime")
        .endContainer().endSpec().endTemplate().endSpec()
        .withNewStatus().withReplicas(3).withReadyReplicas(2).endStatus()
        .build();

    Deployment cached = AppliedTemplates.trim(deployment, new KubernetesSerialization());

    assertThat(cached.getSpec().getReplicas()).isEqualTo(3);
    assertThat(cached.getSpec().getTemplate()).isNull();
    assertThat(cached.getSpec().getAdditionalProperties()).containsKey(AppliedTemplates.SPEC_DIGEST);
    assertThat(cached.getStatus().getReplicas()).isEqualTo(3);
    assertThat(cached.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(cached.getMetadata().getManagedFields()).as("nothing reads who owns which field").isNull();
  }

  private static FieldsV1 fields(Map<String, Object> fields) {
    FieldsV1 v1 = new FieldsV1();
    fields.forEach(v1::setAdditionalProperty);
    return v1;
  }
}
