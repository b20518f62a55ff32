package dev.slipstream.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator as it runs in a cluster: holding its Lease, answering probes, exposing metrics. */
class OperatorOperationsIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  @Test
  void theLeaderAnswersProbesAndExposesReconcileMetrics() throws Exception {
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kube.kubeconfig()))).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Operator operator = Main.start(client, OperatorConfig.fromEnv(Map.of()), registry,
        Main.leaderElection("default"));
    try (ManagementServer management = new ManagementServer(0, operator, registry)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> get(management, "/readyz").statusCode() == 200);
      assertThat(get(management, "/healthz").statusCode()).isEqualTo(200);

      Lease lease = kube.client().leases().inNamespace("default").withName(Main.LEADER_LEASE).get();
      assertThat(lease).as("the leader Lease").isNotNull();
      assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();

      kube.kubectl("create", "namespace", "ops");
      kube.kubectlApply("ops", """
          apiVersion: realtime.slipstream.dev/v1alpha1
          kind: RealtimePublication
          metadata: {name: orphan}
          spec:
            tenantRef: {name: missing}
            tables: [{name: orders}]
          """);
      // JOSDK's Micrometer metrics count the reconcile of that publication.
      await().atMost(Duration.ofSeconds(60)).until(() -> get(management, "/metrics").body()
          .contains("realtimepublication"));
    } finally {
      Main.stop(operator);
    }
  }

  private static HttpResponse<String> get(ManagementServer server, String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }
}
