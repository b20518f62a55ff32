package dev.slipstream.dev.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.KubeTestBinaries;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/dev --cluster} runs, in this JVM on the host's network: the control plane, the
 * chart, the operator and the example tenant Ready; the example page served against the runtime
 * pod; kubectl with the printed kubeconfig; a committed row reaching an SSE client through the
 * runtime pod; everything stopped.
 */
class ClusterDevModeIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ClusterDevMode dev;

  @BeforeAll
  static void start() throws Exception {
    dev = ClusterDevMode.start(Path.of("target", "cluster-it"), 0);
    System.out.println("[cluster dev mode] tenant Ready " + dev.timeToReady().toMillis() + " ms after start");
  }

  @AfterAll
  static void stop() {
    if (dev != null) {
      dev.close();
    }
  }

  @Test
  void kubectlWithThePrintedKubeconfigShowsTheTenantReady() throws Exception {
    Process kubectl = new ProcessBuilder(KubeTestBinaries.configured().kubectl().toString(),
        "--kubeconfig=" + dev.kubeconfig(), "get", "slipstream", "-A").redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(kubectl.exitValue()).as(output).isZero();
    assertThat(output).contains("realtimetenant.realtime.slipstream.dev/acme", "Ready",
        "realtimepublication.realtime.slipstream.dev/acme-orders");
  }

  @Test
  void theExamplePageIsServedAgainstTheRuntimePod() throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + dev.pagePort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    String endpoint = "ws://" + dev.runtimeUrl().getAuthority() + "/realtime/v1";
    assertThat(page.body()).contains("@supabase/realtime-js", "value=\"" + endpoint + "\"", dev.token());
    assertThat(dev.runtimeUrl().getHost()).as("pods on loopback, reachable from the host").startsWith("127.");
  }

  @Test
  void aCommittedRowReachesAClientThroughTheRuntimePod() throws Exception {
    URI sse = URI.create(dev.runtimeUrl() + "/realtime/v1/sse?table=orders&apikey=" + dev.token());
    try (SseTestClient client = SseTestClient.open(sse, null)) {
      await().atMost(WAIT).until(() -> client.status != 0 || client.ended());
      assertThat(client.status).as("the SSE stream of " + sse + " (" + client.failure + ")").isEqualTo(200);

      dev.sql("INSERT INTO orders (id, customer_id, total) VALUES (1, 7, 10.00), (2, 42, 25.50)");

      await().atMost(WAIT).until(() -> client.changes().stream().anyMatch(e -> e.data().contains("\"id\":2")));
      assertThat(client.changes()).as("the token's sub is 42: customer 7's order is not shown")
          .noneMatch(e -> e.data().contains("\"customer_id\":7"));
    }
  }
}
