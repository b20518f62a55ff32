package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Release;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.node.NodeAgent;
import dev.slipstream.testing.node.SlipstreamImages;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole loop on a real control plane, as a platform team meets it: kube-apiserver, etcd and
 * kube-controller-manager; one node, whose agent runs the pods as local processes from the images'
 * commands ({@link SlipstreamImages}: the distributions' start scripts when built, else the class
 * path); {@code helm install} of the chart, whose operator Deployment becomes a pod running the
 * operator under the chart's ServiceAccount (a token bound to the pod, in a kubeconfig);
 * examples/README.md's steps ({@code schema.sql} on an embedded PostgreSQL, the tenant's database host
 * and port edited, {@code kubectl apply -f examples/}, {@code token.sh});
 * the runtime's Deployment, ReplicaSet and Pods made by the controllers; an SSE client through the
 * tenant Service's EndpointSlice receiving a committed row (and only the rows its JWT's claim
 * allows), then the unmodified realtime-js client through it ({@link RealtimeJsClient}); the tenant's status; {@code kubectl scale};
 * chaos while realtime-js is connected through the Service and rows are committed: the leader's pod
 * lost with its node and replaced by the ReplicaSet, the operator's pod deleted and replaced, the app
 * resuming on the other pod with every row once; a scale-down that drains a pod; the tenant deleted
 * and its slot dropped.
 * Prints a timeline.
 */
@Tag("pod-network") // Failsafe runs it in the pod network's namespace (e2e/pom.xml)
class ClusterEndToEndIT {

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
  private static NodeAgent node;
  private static Path examples;

  @BeforeAll
  static void startNode() throws Exception {
    timeline.mark("control plane up (etcd, kube-apiserver, kube-controller-manager) and PostgreSQL");
    System.out.println("[e2e] images: " + SlipstreamImages.describe(RepositoryLayout.root()));
    node = ClusterSteps.startNode(kube, "pods");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
    Examples.deleteTree(examples);
  }

  @Test
  void fromHelmInstallToAClientAndBack() throws Exception {
    ClusterSteps.assumeRoutablePods(node);
    KubernetesClient client = kube.client();

    Release release = ClusterSteps.installChart(kube);
    assertThat(release.getStatus()).isEqualTo("deployed");
    assertThat(node.running(SYSTEM, "slipstream-operator-")).as("the operator's process").hasSize(1);
    timeline.mark("chart installed, operator pod ready");

    // examples/README.md: psql -d app -f schema.sql; the tenant's host and port edited; kubectl apply -f examples/.
    Examples.prepareDatabase(postgres);
    examples = Examples.copyWithDatabase("localhost", postgres.port());
    kubectl("apply", "-f", examples.toString());
    String name = "acme";
    RealtimeTenant tenant = client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).require();
    await().atMost(WAIT).untilAsserted(() -> assertThat(phase(name)).isEqualTo(TenantPhase.READY));
    assertThat(node.running(NS, name + "-runtime-")).as("runtime processes").hasSize(1);
    timeline.mark("tenant " + name + " Ready (examples applied, runtime pod ready)");

    // A client of the tenant's Service, through the endpoint kube-proxy would pick.
    String jwtSecret = jwtSecret(client, tenant);
    URI endpoint = await().atMost(WAIT).until(() -> ServiceProxy.readyEndpoints(client, NS, name + "-runtime", "http"),
        endpoints -> !endpoints.isEmpty()).getFirst();
    try (SseTestClient seven = SseTestClient.open(sse(endpoint, Examples.token(jwtSecret, "7")), null);
        SseTestClient anonymous = SseTestClient.open(sse(endpoint, null), null)) {
      await().atMost(WAIT).until(() -> seven.status != 0 || seven.ended());
      assertThat(seven.status).as("the SSE stream of " + endpoint + " (ended: " + seven.ended() + ", " + seven.failure
          + ")").isEqualTo(200);
      Examples.sql(postgres, "INSERT INTO orders (id, customer_id, total) VALUES (1, 8, 10.00), (2, 7, 20.00)");
      await().atMost(WAIT).until(() -> seven.changes().stream().anyMatch(e -> e.data().contains("\"id\":2")));
      timeline.mark("first event: a committed row reached an SSE client through the Service's endpoint " + endpoint);
      assertThat(seven.changes()).as("a client sees only the rows its claim allows")
          .noneMatch(e -> e.data().contains("\"customer_id\":8"));
      await().atMost(WAIT).until(() -> anonymous.status != 0);
      assertThat(anonymous.status).as("no token: refused").isEqualTo(401);

      // The same through the official client, as an app connects: realtime-js, customer 42's token.
      String unavailable = RealtimeJsClient.unavailable();
      if (unavailable != null) {
        System.out.println("[ClusterEndToEndIT] realtime-js step skipped: " + unavailable);
      } else {
        try (RealtimeJsClient app = RealtimeJsClient.subscribeToOrders(endpoint, Examples.token(jwtSecret, "42"))) {
          await().atMost(WAIT).until(() -> app.subscribed() || app.lines.stream().anyMatch(l -> l.contains("ERROR")
              || l.equals("TIMEOUT")));
          assertThat(app.lines).as("realtime-js's output").contains("SUBSCRIBED");
          Examples.sql(postgres, "INSERT INTO orders (id, customer_id, total) VALUES (3, 8, 5.00), (4, 42, 42.00)");
          await().atMost(WAIT).until(() -> app.change() != null);
          assertThat(app.change()).as("realtime-js got customer 42's row, not customer 8's").contains("\"id\":4");
          timeline.mark("realtime-js received a committed row through the Service's endpoint");
        }
      }

      // What kubectl get rtt shows: the slot, its lag, the clients, the replicas.
      await().atMost(WAIT).untilAsserted(() -> {
        var status = client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).get().getStatus();
        assertThat(status.getSlot().getName()).isEqualTo(tenant.getSpec().getReplication().getSlotName());
        assertThat(status.getSlot().getActive()).isTrue();
        assertThat(status.getSlot().getLagBytes()).isNotNull();
        assertThat(status.getRuntime().getReplicas()).isEqualTo(1);
        assertThat(status.getRuntime().getReadyReplicas()).isEqualTo(1);
        assertThat(status.getRuntime().getConnectedClients()).isEqualTo(1L);
        assertThat(status.getRuntime().getLeader()).isEqualTo(node.running(NS, name + "-runtime-").getFirst().pod());
      });
      System.out.println(kubectl("get", "rtt", "-n", NS).stdout());
    }

    // kubectl scale, through the tenant's scale subresource (autoscaling mode External).
    kubectl("patch", "rtt", name, "-n", NS, "--type", "merge", "-p",
        "{\"spec\":{\"runtime\":{\"autoscaling\":{\"mode\":\"External\"},\"replicas\":{\"desired\":1}}}}");
    kubectl("scale", "rtt/" + name, "-n", NS, "--replicas=2");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(node.running(NS, name + "-runtime-")).hasSize(2);
      assertThat(ServiceProxy.readyEndpoints(client, NS, name + "-runtime", "http")).hasSize(2);
      var runtime = client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).get().getStatus().getRuntime();
      assertThat(runtime.getReadyReplicas()).isEqualTo(2);
      assertThat(runtime.getPods()).extracting(p -> p.getRole()).containsExactlyInAnyOrder("Leader", "Follower");
    });
    timeline.mark("scaled to 2 (kubectl scale rtt): two runtime processes, leader and follower, both endpoints ready");

    // Chaos while an app is connected. realtime-js reaches the tenant through its Service (a
    // forwarder stands in for kube-proxy: each new connection goes to a ready endpoint), on the
    // leader's pod, and resumes by position after a dropped connection; rows are committed all
    // along. The leader's node dies (kill -9, the Pod forced away) and the operator's pod is
    // deleted: the ReplicaSet makes a new runtime pod, the follower takes the Lease, the app
    // reconnects through the Service to it and misses nothing, the operator comes back and prunes
    // the dead pod's status entry, and the tenant is Ready again.
    String leader = client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).get().getStatus()
        .getRuntime().getLeader();
    String leaderIp = client.pods().inNamespace(NS).withName(leader).get().getStatus().getPodIP();
    String operatorPod = node.running(SYSTEM, "slipstream-operator-").getFirst().pod();
    String unavailable = RealtimeJsClient.unavailable();
    if (unavailable != null) {
      System.out.println("[ClusterEndToEndIT] realtime-js across the chaos skipped: " + unavailable);
    }
    try (ServiceForwarder service = ServiceForwarder.start(() -> ServiceProxy.readyEndpoints(client, NS,
            name + "-runtime", "http").stream()
            .filter(e -> chaosStarted != e.getHost().equals(leaderIp))
            .findFirst().orElse(null));
        OrderWriter writer = new OrderWriter(postgres, 1000, 42);
        RealtimeJsClient app = unavailable != null ? null
            : RealtimeJsClient.resumingOrders(service.address(), Examples.token(jwtSecret, "42"))) {
      chaosStarted = false;
      if (app != null) {
        await().atMost(WAIT).until(() -> app.subscribed() || app.lines.stream().anyMatch(l -> l.contains("ERROR")));
        assertThat(app.lines).as("realtime-js's output").contains("STATUS SUBSCRIBED");
        assertThat(service.placed).as("the app's connection went to the leader").hasSize(1)
            .allMatch(e -> e.getHost().equals(leaderIp));
      }
      writer.start();
      await().atMost(WAIT).until(() -> writer.written().size() >= 20
          && (app == null || app.rows().size() >= 10));
      chaosStarted = true;
      timeline.mark("realtime-js on the leader " + leader + " through the Service, " + writer.written().size()
          + " rows committed so far");
      kubectl("delete", "pod", leader, "-n", NS, "--grace-period=0", "--force");
      kubectl("delete", "pod", operatorPod, "-n", SYSTEM, "--wait=false");
      timeline.mark("leader's pod killed (kill -9, forced away) and the operator's pod deleted");
      if (app != null) {
        int before = app.rows().size();
        await().atMost(WAIT).until(() -> app.rows().size() > before + 5);
        timeline.mark("realtime-js receiving again, through the Service, from " + service.placed.getLast());
      }
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(node.running(NS, name + "-runtime-")).hasSize(2).noneMatch(c -> c.pod().equals(leader));
        assertThat(node.running(SYSTEM, "slipstream-operator-")).hasSize(1)
            .noneMatch(c -> c.pod().equals(operatorPod));
        var runtime = client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).get().getStatus().getRuntime();
        assertThat(runtime.getReadyReplicas()).isEqualTo(2);
        assertThat(runtime.getLeader()).isNotEqualTo(leader);
        assertThat(runtime.getPods()).extracting(p -> p.getName()).doesNotContain(leader).hasSize(2);
        assertThat(phase(name)).isEqualTo(TenantPhase.READY);
      });
      java.util.List<Long> written = writer.stop();
      timeline.mark("pod replaced: " + leader + " lost, a new pod from the ReplicaSet, a new leader; a new operator"
          + " pod; tenant Ready; " + written.size() + " rows committed in all");
      if (app != null) {
        await().atMost(WAIT).until(() -> app.rows().containsAll(written));
        assertThat(app.lines).as("no gap: the new leader resumed the app after its last row").noneMatch(
            l -> l.startsWith("GAP"));
        assertThat(app.rows()).as("every committed row once, in commit order").containsExactlyElementsOf(written);
        timeline.mark("realtime-js received all " + written.size() + " rows once, in order, across the chaos");
      }
    }

    // Scale-down: the ReplicaSet deletes a pod, the agent sends SIGTERM, the runtime drains and exits.
    kubectl("scale", "rtt/" + name, "-n", NS, "--replicas=1");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(node.running(NS, name + "-runtime-")).hasSize(1);
      assertThat(client.pods().inNamespace(NS).withLabel("app.kubernetes.io/instance", name).list().getItems())
          .hasSize(1);
      var runtime = client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).get().getStatus().getRuntime();
      assertThat(runtime.getPods()).hasSize(1);
    });
    timeline.mark("scaled to 1: a pod drained and removed");

    // examples/README.md's clean-up: the publications first (they need their tenant to reach the
    // database), then the tenant: its slot is dropped, its runtime objects and processes go.
    String slot = tenant.getSpec().getReplication().getSlotName();
    assertThat(slots(slot)).isEqualTo(1);
    kubectl("delete", "rtpub", "--all", "-n", NS, "--timeout=90s");
    kubectl("delete", "rtt", name, "-n", NS, "--wait=false");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(slots(slot)).isZero();
      assertThat(client.resources(RealtimeTenant.class).inNamespace(NS).withName(name).get()).isNull();
      assertThat(node.running(NS, name + "-runtime-")).isEmpty();
      assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
    });
    timeline.mark("tenant deleted: slot " + slot + " dropped, runtime pods gone");
  }

  /** Set once the chaos begins: until then the Service sends the app to the leader, after it to any other pod. */
  private static volatile boolean chaosStarted;

  private static long slots(String slot) throws Exception {
    return Examples.count(postgres, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
  }

  private static CommandResult kubectl(String... args) {
    return ClusterSteps.kubectl(kube, args);
  }

  private static TenantPhase phase(String name) {
    return ClusterSteps.phase(kube, NS, name);
  }

  private static String jwtSecret(KubernetesClient client, RealtimeTenant tenant) {
    var ref = tenant.getSpec().getAuth().getJwtSecretRef();
    Secret secret = client.secrets().inNamespace(NS).withName(ref.getName()).require();
    return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey() == null ? "secret" : ref.getKey())),
        StandardCharsets.UTF_8);
  }

  private static URI sse(URI endpoint, String token) {
    return URI.create(endpoint + "/realtime/v1/sse?table=orders" + (token == null ? "" : "&apikey=" + token));
  }
}
