package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedModelValuesTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void everyEmptyMapOfTheModelIsTheSharedOneAndTheJsonIsTheSame() {
    Deployment deployment = deployment();
    deployment.getSpec().setAdditionalProperty("unknownField", "kept");
    String json = serialization.asJson(deployment);

    SharedModelValues.share(deployment);

    Map<String, Object> shared = deployment.getMetadata().getAdditionalProperties();
    assertThat(shared).isEmpty();
    assertThat(deployment.getMetadata().getOwnerReferences().get(0).getAdditionalProperties()).isSameAs(shared);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getAdditionalProperties())
        .isSameAs(shared);
    Quantity cpu = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
        .get("cpu");
    assertThat(cpu.getAdditionalProperties()).as("in a map's values, not a resource").isSameAs(shared);
    assertThat(deployment.getSpec().getAdditionalProperties()).as("not empty: left alone")
        .containsEntry("unknownField", "kept");
    assertThat(deployment.getMetadata().getLabels()).as("not additionalProperties").containsEntry("app", "a");
    assertThat(serialization.asJson(deployment)).isEqualTo(json);
  }

  @Test
  void repeatedStringsAreSharedButEachObjectsOwnAreNot() {
    Deployment deployment = deployment();
    String uid = new String("uid-1");
    deployment.getMetadata().setUid(uid);
    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setImagePullPolicy(new String("IfNotPresent"));
    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(new ArrayList<>(List.of(new String("run"))));
    deployment.getSpec().setSelector(new LabelSelectorBuilder().withMatchLabels(new LinkedHashMap<>(
        Map.of("app", new String("runtime")))).build());

    SharedModelValues.share(deployment);

    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImagePullPolicy()).isSameAs("IfNotPresent");
    assertThat(container.getArgs().get(0)).isSameAs("run");
    assertThat(deployment.getSpec().getSelector().getMatchLabels().get("app")).isSameAs("runtime");
    assertThat(deployment.getMetadata().getUid()).as("each object's own").isSameAs(uid);
  }

  @Test
  void aCopyToChangeHasMapsOfItsOwn() {
    Deployment deployment = deployment();
    SharedModelValues.share(deployment);
    Deployment copy = new DeploymentBuilder(deployment).build();
    copy.getMetadata().setAdditionalProperty("x", "y");
    assertThat(deployment.getMetadata().getAdditionalProperties()).isEmpty();
  }

  private static Deployment deployment() {
    return new DeploymentBuilder()
        .withNewMetadata().withName("a").withNamespace("n").addToLabels("app", "a")
        .addNewOwnerReference().withName("t").withUid("u").withKind("RealtimeTenant").withApiVersion("v1").endOwnerReference()
        .endMetadata()
        .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
        .addNewContainer().withName("runtime").withImage("i").withNewResources()
        .addToLimits("cpu", new Quantity("500m")).endResources().endContainer()
        .endSpec().endTemplate().endSpec().build();
  }
}
