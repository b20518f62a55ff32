package dev.slipstream.testing.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The local control plane with the node agent, on a program that is not Slipstream's: the JDK's
 * {@code jwebserver} as the image {@code jwebserver}. A Deployment becomes a ReplicaSet, Pods bound
 * to the node, processes listening on their own pod IPs, ready endpoints in the Service's
 * EndpointSlice; a deleted pod is replaced; a crashing container restarts with a back-off; the
 * Service range holds more than kube-api-test's 254 Services.
 */
class NodeAgentIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.controlPlane();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "web";
  private static NodeAgent agent;

  @BeforeAll
  static void startNode() throws Exception {
    Path webRoot = Files.createDirectories(Path.of("target", "node-agent-it", "www").toAbsolutePath());
    Files.writeString(webRoot.resolve("index.html"), "hello from a pod\n");
    String jdk = System.getProperty("java.home");
    LocalImages images = new LocalImages()
        .with("jwebserver", LocalImage.command(List.of(jdk + "/bin/jwebserver", "-d", webRoot.toString())))
        .with("crasher", LocalImage.command(List.of("sh", "-c", "echo started; exit 3")));
    agent = NodeAgent.start(kube.client(), "node-agent-it", images, Path.of("target", "node-agent-it", "pods"));
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterAll
  static void stopNode() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void aDeploymentRunsAsProcessesBehindItsServiceEndpoints() throws Exception {
    KubernetesClient client = kube.client();
    kube.kubectlApply(NS, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config}
        data: {GREETING: hello}
        """);
    client.apps().deployments().inNamespace(NS).resource(webDeployment(2)).create();
    client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withSelector(Map.of("app", "web")).addNewPort().withName("http").withPort(80)
        .withTargetPort(new IntOrString("http")).endPort().endSpec().build()).create();

    assumeTrue(agent.podAddressesRoutable(), "pods have loopback addresses, which EndpointSlices cannot hold: run "
        + "through bin/lib/pod-network/bin/java (Failsafe does)");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(agent.running(NS, "web-")).hasSize(2);
      assertThat(readyEndpoints("web")).hasSize(2);
    });
    List<Pod> pods = client.pods().inNamespace(NS).withLabel("app", "web").list().getItems();
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      assertThat(pod.getSpec().getNodeName()).as(name).isEqualTo("node-agent-it");
      assertThat(pod.getStatus().getPhase()).as(name).isEqualTo("Running");
      assertThat(pod.getStatus().getPodIP()).as(name).startsWith("10.244.");
      var container = pod.getStatus().getContainerStatuses().getFirst();
      assertThat(container.getReady()).as(name).isTrue();
      assertThat(container.getStarted()).as(name).isTrue();
      assertThat(container.getRestartCount()).as(name).isZero();
      assertThat(pod.getMetadata().getOwnerReferences().getFirst().getKind()).as(name).isEqualTo("ReplicaSet");
    }
    assertThat(pods).extracting(pod -> pod.getStatus().getPodIP()).doesNotHaveDuplicates();
    // What kube-proxy would do: a ready endpoint of the Service, its address and the target port.
    Endpoint endpoint = readyEndpoints("web").getFirst();
    assertThat(get("http://" + endpoint.getAddresses().getFirst() + ":8000/index.html")).isEqualTo("hello from a pod\n");
    // The environment the kubelet gives: envFrom, $(VAR), the downward API.
    NodeAgent.RunningContainer first = agent.running(NS, "web-").getFirst();
    Map<String, String> env = environ(first.pid());
    assertThat(env).containsEntry("GREETING", "hello").containsEntry("POD_IP", first.podIp())
        .containsEntry("POD_NAME", first.pod()).containsEntry("WHO", first.pod() + " in " + NS)
        .containsEntry("HOSTNAME", first.pod()).containsKey("KUBECONFIG").doesNotContainKey("KUBE_API_TEST_DIR");

    // A deleted pod: SIGTERM, its object removed by the agent, a new pod from the ReplicaSet.
    String victim = pods.getFirst().getMetadata().getName();
    client.pods().inNamespace(NS).withName(victim).delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(client.pods().inNamespace(NS).withName(victim).get()).isNull();
      assertThat(agent.running(NS, "web-")).hasSize(2).noneMatch(c -> c.pod().equals(victim));
      assertThat(readyEndpoints("web")).hasSize(2);
    });

    client.apps().deployments().inNamespace(NS).withName("web").scale(1);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(agent.running(NS, "web-")).hasSize(1);
      assertThat(client.pods().inNamespace(NS).withLabel("app", "web").list().getItems()).hasSize(1);
    });
  }

  @Test
  void aContainerThatExitsIsRestartedWithABackOff() {
    kube.kubectlApply(NS, """
        apiVersion: v1
        kind: Pod
        metadata: {name: crasher}
        spec:
          containers: [{name: main, image: registry.example/crasher:1}]
        """);
    await().atMost(WAIT).untilAsserted(() -> {
      Pod pod = kube.client().pods().inNamespace(NS).withName("crasher").get();
      assertThat(pod.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
        assertThat(c.getRestartCount()).isGreaterThanOrEqualTo(2);
        assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(3);
      });
    });
    kube.kubectlApply(NS, """
        apiVersion: v1
        kind: Pod
        metadata: {name: unknown-image}
        spec:
          containers: [{name: main, image: nowhere/unknown:1}]
        """);
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.client().pods().inNamespace(NS).withName("unknown-image")
        .get().getStatus().getContainerStatuses()).singleElement()
        .satisfies(c -> assertThat(c.getState().getWaiting().getReason()).isEqualTo("ErrImagePull")));
    kube.client().pods().inNamespace(NS).withName("crasher").delete();
    kube.client().pods().inNamespace(NS).withName("unknown-image").delete();
  }

  @Test
  void theServiceRangeHoldsMoreThan254Services() {
    KubernetesClient client = kube.client();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("many").endMetadata().build()).create();
    for (int i = 0; i < 300; i++) {
      client.services().inNamespace("many").resource(new ServiceBuilder().withNewMetadata().withName("s" + i).endMetadata()
          .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    }
    assertThat(client.services().inNamespace("many").list().getItems())
        .hasSize(300).allSatisfy(s -> assertThat(s.getSpec().getClusterIP()).startsWith("10.0."));
  }

  private static Deployment webDeployment(int replicas) {
    return new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
        .withTerminationGracePeriodSeconds(5L)
        .addNewContainer().withName("web").withImage("jwebserver:21")
        .withArgs("-b", "$(POD_IP)", "-p", "8000")
        .addNewPort().withName("http").withContainerPort(8000).endPort()
        .addNewEnvFrom().withNewConfigMapRef().withName("web-config").endConfigMapRef().endEnvFrom()
        .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef()
        .endValueFrom().endEnv()
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef()
        .endValueFrom().endEnv()
        .addNewEnv().withName("WHO").withValue("$(POD_NAME) in " + NS).endEnv()
        .withNewReadinessProbe().withNewHttpGet().withPath("/index.html").withPort(new IntOrString("http")).endHttpGet()
        .withPeriodSeconds(1).endReadinessProbe()
        .endContainer().endSpec().endTemplate().endSpec().build();
  }

  private static List<Endpoint> readyEndpoints(String service) {
    return kube.client().discovery().v1().endpointSlices().inNamespace(NS)
        .withLabel("kubernetes.io/service-name", service).list().getItems().stream()
        .map(EndpointSlice::getEndpoints).filter(e -> e != null).flatMap(List::stream)
        .filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())).toList();
  }

  private static Map<String, String> environ(long pid) throws Exception {
    String[] entries = Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0");
    Map<String, String> env = new java.util.HashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  private static String get(String url) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
  }
}
