package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.node.NodeAgent;
import dev.slipstream.testing.node.NodeAgent.RunningContainer;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults of the control plane on a real one, with the chart's operator (its leader election on) and
 * a tenant of two runtime pods, while the unmodified realtime-js client is connected through the
 * tenant's Service and rows are committed: the kube-apiserver stopped until the operator's pod has
 * lost its Lease and exited, then started again; then the tenant's Secrets rotated as
 * docs/security.md tells a platform team to (the JWT secret with the old one kept as
 * {@code previousJwtSecretRef}, the database password with {@code ALTER ROLE} and the Secret),
 * which the operator must notice after its restart and roll the pods for. The app keeps its token
 * and its position throughout and must end with every committed row once, in order (or, when a pod
 * told it of a gap, every row in order all the same: a gap notice asks the app to refetch).
 * Prints a timeline.
 */
@Tag("pod-network") // Failsafe runs it in the pod network's namespace (e2e/pom.xml)
class ClusterFaultsIT {

  @RegisterExtension
  @Order(1)
  static final Timeline timeline = new Timeline();

  @RegisterExtension
  @Order(2)
  static final KubeApiServerExtension kube = KubeApiServerExtension.controlPlane();

  @RegisterExtension
  @Order(3)
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final String SYSTEM = ClusterSteps.SYSTEM;
  private static final String NS = "acme";
  private static final String TENANT = "acme";
  private static final String OPERATOR = ClusterSteps.OPERATOR;
  private static final String RUNTIME = TENANT + "-runtime-";
  private static NodeAgent node;
  private static Path examples;

  @BeforeAll
  static void startNode() throws Exception {
    timeline.mark("control plane up (etcd, kube-apiserver, kube-controller-manager) and PostgreSQL");
    node = ClusterSteps.startNode(kube, "fault-pods");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
    Examples.deleteTree(examples);
  }

  @Test
  void anApiServerOutageAndRotatedSecretsLoseNothingForAConnectedApp() throws Exception {
    ClusterSteps.assumeRoutablePods(node);
    ClusterSteps.assumeRealtimeJs();
    KubernetesClient client = kube.client();

    ClusterSteps.installChart(kube);
    Examples.prepareDatabase(postgres);
    postgres.requirePasswordOf("slipstream"); // the Secret's password is checked, so a rotation means something
    examples = Examples.copyWithDatabase("localhost", postgres.port());
    kubectl("apply", "-f", examples.toString());
    kubectl("patch", "rtt", TENANT, "-n", NS, "--type", "merge", "-p",
        "{\"spec\":{\"runtime\":{\"replicas\":{\"min\":2,\"max\":2}}}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(node.running(NS, RUNTIME)).hasSize(2);
      assertThat(ServiceProxy.readyEndpoints(client, NS, TENANT + "-runtime", "http")).hasSize(2);
      assertThat(phase()).isEqualTo(TenantPhase.READY);
    });
    timeline.mark("chart installed, tenant Ready with two runtime pods (a leader and a follower)");

    String oldJwtSecret = "a-string-of-at-least-32-characters-for-hs256"; // examples/acme-db-secret.yaml
    try (ServiceForwarder service = ServiceForwarder.start(() -> ServiceProxy.readyEndpoints(client, NS,
            TENANT + "-runtime", "http").stream().findFirst().orElse(null));
        OrderWriter writer = new OrderWriter(postgres, 1000, 42);
        RealtimeJsClient app = RealtimeJsClient.resumingOrdersLogged(service.address(),
            Examples.token(oldJwtSecret, "42"))) {
      await().atMost(WAIT).until(() -> app.subscribed() || app.lines.stream().anyMatch(l -> l.contains("ERROR")));
      assertThat(app.lines).as("realtime-js's output").contains("STATUS SUBSCRIBED");
      writer.start();
      await().atMost(WAIT).until(() -> app.rows().size() >= 10);
      timeline.mark("realtime-js subscribed through the Service, receiving rows");

      outageUntilTheOperatorExits(client, app);
      rotateTheSecrets(client, app);

      List<Long> written = writer.stop();
      await().atMost(WAIT).untilAsserted(() -> assertThat(app.rows()).as(() -> app.missing(written)
          + "; connections placed by the Service at " + service.placed)
          .containsAll(written));
      timeline.mark(app.assertEveryRowInOrder(written) + ", with the token it began with");
    }
  }

  /**
   * kube-apiserver stopped (etcd keeps its data) and held down until the operator's process has
   * exited for its lost Lease and been started again by its pod's restart policy, then started
   * again: the operator's restarted process leads and reconciles, the runtime streams again.
   */
  private void outageUntilTheOperatorExits(KubernetesClient client, RealtimeJsClient app) {
    long operatorPid = operator().pid();
    String operatorPod = operator().pod();
    int restartsBefore = operatorRestarts(client, operatorPod);
    List<String> command = kube.server().stopApiServer();
    timeline.mark("kube-apiserver stopped");
    // The operator renews its Lease within 10 s (JOSDK's default renew deadline) or exits.
    await("the operator's process exits for its lost Lease and is started again").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> node.running(SYSTEM, OPERATOR).stream().anyMatch(c -> c.pid() != operatorPid));
    timeline.mark("the operator lost its Lease: its process exited and its pod's restart policy started it again");
    int rowsDuringOutage = app.rows().size();
    kube.server().startApiServer(command);
    timeline.mark("kube-apiserver started again (same port, certificates and etcd)");
    await().atMost(WAIT).untilAsserted(() -> assertThat(app.rows().size()).as(app::status)
        .isGreaterThan(rowsDuringOutage + 5));
    timeline.mark("realtime-js receiving rows again (a runtime pod leads again)");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(operatorRestarts(client, operatorPod)).as("the operator pod's restart count").isGreaterThan(
          restartsBefore);
      assertThat(phase()).isEqualTo(TenantPhase.READY);
    });
    timeline.mark("the operator pod's restart is reported and the tenant is Ready");
  }

  /**
   * docs/security.md's JWT rotation (the new secret in {@code jwtSecretRef}, the old one in
   * {@code previousJwtSecretRef}, one change) and the database password rotated (ALTER ROLE,
   * then the Secret): the operator rolls both pods; the app, with its old token, follows.
   */
  private void rotateTheSecrets(KubernetesClient client, RealtimeJsClient app) throws Exception {
    Set<String> oldPods = node.running(NS, RUNTIME).stream().map(RunningContainer::pod).collect(Collectors.toSet());
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("acme-jwt-2")
        .endMetadata().addToStringData("secret", "a-second-string-of-32-characters-or-more-for-hs256").build())
        .create();
    kubectl("patch", "rtt", TENANT, "-n", NS, "--type", "merge", "-p", "{\"spec\":{\"auth\":{"
        + "\"jwtSecretRef\":{\"name\":\"acme-jwt-2\",\"key\":\"secret\"},"
        + "\"previousJwtSecretRef\":{\"name\":\"acme-jwt\",\"key\":\"secret\"}}}}");
    Examples.sql(postgres, "ALTER ROLE slipstream PASSWORD 'rotated-password'");
    client.secrets().inNamespace(NS).withName("acme-db").edit(secret -> new SecretBuilder(secret).withData(null)
        .withStringData(java.util.Map.of("username", "slipstream", "password", "rotated-password")).build());
    timeline.mark("the JWT secret rotated (previousJwtSecretRef kept) and the database password rotated");
    int rowsBefore = app.rows().size();
    await().atMost(WAIT).untilAsserted(() -> {
      List<RunningContainer> running = node.running(NS, RUNTIME);
      assertThat(running).hasSize(2).noneMatch(c -> oldPods.contains(c.pod()));
      assertThat(ServiceProxy.readyEndpoints(client, NS, TENANT + "-runtime", "http")).hasSize(2);
      var runtime = client.resources(RealtimeTenant.class).inNamespace(NS).withName(TENANT).get().getStatus()
          .getRuntime();
      assertThat(runtime.getReadyReplicas()).isEqualTo(2);
      assertThat(phase()).isEqualTo(TenantPhase.READY);
      assertThat(app.rows().size()).isGreaterThan(rowsBefore + 5);
    });
    timeline.mark("both pods rolled to the new Secrets, both ready, the tenant Ready, realtime-js receiving");
  }

  private static RunningContainer operator() {
    List<RunningContainer> running = node.running(SYSTEM, OPERATOR);
    assertThat(running).as("the operator's process").hasSize(1);
    return running.getFirst();
  }

  private static int operatorRestarts(KubernetesClient client, String pod) {
    Pod current = client.pods().inNamespace(SYSTEM).withName(pod).get();
    if (current == null || current.getStatus() == null || current.getStatus().getContainerStatuses() == null) {
      return 0;
    }
    return current.getStatus().getContainerStatuses().stream().mapToInt(ContainerStatus::getRestartCount).sum();
  }

  private static CommandResult kubectl(String... args) {
    return ClusterSteps.kubectl(kube, args);
  }

  private static TenantPhase phase() {
    return ClusterSteps.phase(kube, NS, TENANT);
  }
}
