package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.node.NodeAgent;
import dev.slipstream.testing.node.SlipstreamImages;
import java.nio.file.Path;

/**
 * The steps the tests on a real control plane share: a node whose agent runs pods as processes,
 * the chart installed as a platform team installs it, kubectl that must succeed, the tenant's phase.
 */
final class ClusterSteps {

  static final String SYSTEM = "slipstream-system";
  static final String OPERATOR = "slipstream-operator-";
  private static final Path CHART = RepositoryLayout.root().resolve("charts/slipstream");

  private ClusterSteps() {
  }

  /** A node whose agent keeps its pods' logs and kubeconfigs under {@code target/e2e/<podsDirectory>}. */
  static NodeAgent startNode(KubeApiServerExtension kube, String podsDirectory) throws Exception {
    Path pods = Path.of("target", "e2e", podsDirectory);
    Examples.deleteTree(pods); // the last run's
    return NodeAgent.start(kube.client(), "node-1", SlipstreamImages.of(RepositoryLayout.root()), pods);
  }

  /** Skips the test, saying why, where Services cannot have endpoints. */
  static void assumeRoutablePods(NodeAgent node) {
    assumeTrue(node.podAddressesRoutable(), "pods have loopback addresses, which EndpointSlices cannot hold: run "
        + "through bin/lib/pod-network/bin/java (Failsafe does; it needs unshare and ip)");
  }

  /** Skips the test, saying why, where the realtime-js client cannot run. */
  static void assumeRealtimeJs() {
    String unavailable = RealtimeJsClient.unavailable();
    assumeTrue(unavailable == null, () -> "realtime-js is the client under test here: " + unavailable);
  }

  /** {@code helm install slipstream charts/slipstream -n slipstream-system --create-namespace --wait}, rechecks every 5 s. */
  static Release installChart(KubeApiServerExtension kube) {
    return Helm.install(CHART.toString()).withName("slipstream").withNamespace(SYSTEM).createNamespace()
        .withKubeConfig(kube.kubeconfig()).set("operator.recheckInterval", "5s").waitReady().withTimeout(300).call();
  }

  /** Runs kubectl against the control plane; fails the test, with its output, when kubectl does. */
  static CommandResult kubectl(KubeApiServerExtension kube, String... args) {
    CommandResult result = kube.kubectl(args);
    assertThat(result.succeeded()).as("kubectl " + String.join(" ", args) + "\n" + result).isTrue();
    return result;
  }

  /** The tenant as the API server has it now; null when absent. */
  static RealtimeTenant tenant(KubeApiServerExtension kube, String namespace, String name) {
    return kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName(name).get();
  }

  /** The tenant's phase; null before its first status. */
  static TenantPhase phase(KubeApiServerExtension kube, String namespace, String name) {
    RealtimeTenant tenant = tenant(kube, namespace, name);
    return tenant == null || tenant.getStatus() == null ? null : tenant.getStatus().getPhase();
  }
}
