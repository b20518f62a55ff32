package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;

/**
 * The "restricted" Pod Security Standard as kube-apiserver's PodSecurity admission enforces it on a
 * namespace labelled for it. Enforcement applies to pods only (a Deployment merely draws a warning),
 * so a pod built from a template is submitted as a server-side dry run: admitted, or refused with
 * the API server's reasons.
 */
final class RestrictedPods {

  private RestrictedPods() {
  }

  /** The namespace labels: enforce the restricted standard on pods, and warn about workload templates. */
  static Map<String, String> labels() {
    return Map.of("pod-security.kubernetes.io/enforce", "restricted", "pod-security.kubernetes.io/warn", "restricted");
  }

  /**
   * Asserts the namespace enforces the standard (a pod without a security context is refused) and
   * admits {@code pod}. The pod's ServiceAccount is created when missing: admission refuses a pod whose
   * ServiceAccount does not exist before PodSecurity looks at it.
   */
  static void assertAdmitted(KubernetesClient client, String namespace, Pod pod) {
    String serviceAccount = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
    if (client.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get() == null) {
      client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
          .withName(serviceAccount).endMetadata().build()).create();
    }
    Pod unconfined = new PodBuilder().withNewMetadata().withName("unconfined").endMetadata().withNewSpec()
        .withServiceAccountName(serviceAccount).addNewContainer().withName("main").withImage("busybox").endContainer()
        .endSpec().build();
    assertThatThrownBy(() -> client.pods().inNamespace(namespace).resource(unconfined).dryRun().create())
        .as("namespace %s enforces the restricted standard", namespace)
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> org.assertj.core.api.Assertions
            .assertThat(e.getMessage()).contains("violates PodSecurity \"restricted"));
    assertThatCode(() -> client.pods().inNamespace(namespace).resource(pod).dryRun().create())
        .as("pod %s from the template, admitted under the restricted standard in %s", pod.getMetadata().getName(), namespace)
        .doesNotThrowAnyException();
  }
}
