package dev.slipstream.operator.tenant.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.ResolvedInputs;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime's objects as the real API server stores them after the workflow's server-side apply
 * (defaults added, quantities rewritten, atomic structs owned whole) match what was applied: a
 * steady tenant makes no writes. An edit of a field the operator sets does not match.
 */
class AppliedStateIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.bare();

  @Test
  void everyRuntimeObjectMatchesAsStoredAndAnEditDoesNot() throws IOException {
    KubernetesClient client = kube.client();
    KubernetesSerialization serialization = client.getKubernetesSerialization();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("acme").endMetadata().build())
        .create();
    RuntimeModel model = acmeModel(serialization);
    List<HasMetadata> objects = List.of(model.generateConfigMap(), model.generateServiceAccount(), model.generateRole(),
        model.generateRoleBinding(), model.generateDeployment(null), model.generateService(),
        model.generateRelayService(), model.generatePodDisruptionBudget());
    for (HasMetadata object : objects) {
      HasMetadata desired = AppliedState.stamp(object, serialization);
      client.resource(desired).fieldManager("slipstream-operator").forceConflicts().serverSideApply();
      HasMetadata stored = client.resource(desired).get();
      assertThat(AppliedState.matches(stored, desired, serialization)).as(object.getKind() + " as stored").isTrue();
    }

    Deployment desired = AppliedState.stamp(model.generateDeployment(null), serialization);
    client.apps().deployments().inNamespace("acme").withName(desired.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), """
            {"spec":{"template":{"spec":{"containers":[{"name":"runtime","image":"someone/else:1"}]}}}}""");
    Deployment edited = client.apps().deployments().inNamespace("acme").withName(desired.getMetadata().getName()).get();
    assertThat(AppliedState.matches(edited, desired, serialization)).as("the image edited by someone else").isFalse();
  }

  /**
   * The Deployment's cache keeps no pod template: its spec matches when it is the one the server
   * returned to the operator's apply (the status loop's replicas aside), as the trimmed copy
   * tells it; someone's edit of the template does not, nor a Deployment this process never applied.
   */
  @Test
  void aDeploymentMatchesWhileItsSpecIsTheAppliedOne() throws IOException {
    KubernetesClient client = kube.client();
    KubernetesSerialization serialization = client.getKubernetesSerialization();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("acme2").endMetadata().build())
        .create();
    Deployment desired = AppliedState.stamp(model("acme2", serialization).generateDeployment(null), serialization);
    AppliedTemplates templates = new AppliedTemplates();
    var deployment = client.apps().deployments().inNamespace("acme2").withName(desired.getMetadata().getName());
    templates.applied(client.resource(desired).fieldManager("slipstream-operator").forceConflicts().serverSideApply(),
        serialization);
    Deployment stored = trimmed(deployment.get(), serialization);
    assertThat(stored.getSpec().getTemplate()).as("the cache keeps no template").isNull();
    assertThat(AppliedState.metadataMatches(stored, desired, serialization)).isTrue();
    assertThat(templates.unchanged(stored, serialization)).as("as applied").isTrue();
    assertThat(new AppliedTemplates().unchanged(stored, serialization)).as("applied by another process").isFalse();

    deployment.patch(PatchContext.of(PatchType.JSON_MERGE), """
        {"spec":{"replicas":3}}""");
    assertThat(templates.unchanged(trimmed(deployment.get(), serialization), serialization))
        .as("the status loop's replicas").isTrue();

    deployment.patch(PatchContext.of(PatchType.JSON_MERGE), """
        {"spec":{"template":{"spec":{"containers":[{"name":"runtime","image":"someone/else:1"}]}}}}""");
    assertThat(templates.unchanged(trimmed(deployment.get(), serialization), serialization))
        .as("the image edited by someone else").isFalse();
    templates.applied(client.resource(desired).fieldManager("slipstream-operator").forceConflicts().serverSideApply(),
        serialization);
    assertThat(templates.unchanged(trimmed(deployment.get(), serialization), serialization))
        .as("applied again").isTrue();
  }

  private static Deployment trimmed(Deployment deployment, KubernetesSerialization serialization) {
    return AppliedTemplates.trim(deployment, serialization);
  }

  private static RuntimeModel acmeModel(KubernetesSerialization serialization) throws IOException {
    return model("acme", serialization);
  }

  /** examples/acme-tenant.yaml, with quantities the API server writes differently (0.25 CPU, 1024Mi). */
  private static RuntimeModel model(String namespace, KubernetesSerialization serialization) throws IOException {
    RealtimeTenant tenant;
    try (InputStream in = Files.newInputStream(RepositoryLayout.examples().resolve("acme-tenant.yaml"))) {
      tenant = serialization.unmarshal(in, RealtimeTenant.class);
    }
    tenant.getMetadata().setNamespace(namespace);
    tenant.getSpec().getRuntime().getResources().setRequests(Map.of("cpu", new Quantity("0.25"),
        "memory", new Quantity("1024Mi")));
    return RuntimeModel.fromTenant(tenant, ResolvedInputs.builder().slotName(SlotNames.forTenant(tenant))
        .publicationNames(List.of("acme_orders")).defaultImage("slipstream-runtime:test")
        .credentialsChecksum("c").relayKeyChecksum("r").build());
  }
}
