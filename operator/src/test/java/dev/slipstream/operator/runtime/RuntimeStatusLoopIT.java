package dev.slipstream.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.api.v1alpha1.RuntimeStatus;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.tenant.ClusterAsserts;
import dev.slipstream.operator.tenant.TestCluster;
import dev.slipstream.testing.kube.CommandResult;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's half of the status loop on a real API server (and the real PostgreSQL the tenant
 * reconciler needs before it creates the runtime's Deployment). Runtime pods are simulated the way
 * the runtime behaves: a Pod object with the runtime's labels (no kubelet runs here; the test marks
 * it Ready) and the pod's entry of {@code status.runtime.pods[]} written by server-side apply under
 * the pod's own field manager. No Deployment controller runs either: the test reads the replica
 * count the operator sets and reports the Deployment's status itself.
 */
class RuntimeStatusLoopIT {

  private static final Duration TIMEOUT = ClusterAsserts.TIMEOUT;

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  @Test
  void aggregatesThePodsReportsWithoutErasingThemAndKubectlShowsClientsAndReady() {
    createTenant("agg", "replicas: {min: 1, max: 10}");
    startPod("agg", "agg-runtime-a");
    startPod("agg", "agg-runtime-b");
    reportDeploymentStatus("agg", 2, 2);

    report("agg", "agg-runtime-a", 120, "Leader", Instant.now());
    report("agg", "agg-runtime-b", 80, "Follower", Instant.now());

    RuntimeStatus runtime = awaitRuntime("agg", r -> {
      assertThat(r.getConnectedClients()).isEqualTo(200L);
      assertThat(r.getLeader()).isEqualTo("agg-runtime-a");
      assertThat(r.getReplicas()).isEqualTo(2);
      assertThat(r.getReadyReplicas()).isEqualTo(2);
    });
    assertThat(runtime.getSelector()).isEqualTo("app.kubernetes.io/name=slipstream-runtime,app.kubernetes.io/instance=agg");

    CommandResult get = TestCluster.kubectl(operator, "get", "rtt", "agg", "-n", operator.getNamespace());
    assertThat(get.succeeded()).as(get.toString()).isTrue();
    List<String> header = List.of(get.stdout().lines().findFirst().orElseThrow().split("\\s{2,}"));
    List<String> row = List.of(get.stdout().lines().skip(1).findFirst().orElseThrow().split("\\s{2,}"));
    assertThat(row.get(header.indexOf("CLIENTS"))).isEqualTo("200");
    assertThat(row.get(header.indexOf("READY"))).isEqualTo("2");

    // The operator applied status.runtime without the pods: every entry is still there, owned by its pod
    // alone, and the workflow's conditions are untouched by the status loop's writes.
    RealtimeTenant tenant = tenant("agg");
    assertThat(tenant.getStatus().getRuntime().getPods()).extracting(RuntimePodStatus::getName, RuntimePodStatus::getClients)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("agg-runtime-a", 120L),
            org.assertj.core.groups.Tuple.tuple("agg-runtime-b", 80L));
    assertThat(tenant.getStatus().getConditions()).isNotEmpty();
    assertThat(managedFields(tenant, OperatorConfig.RUNTIME_FIELD_MANAGER)).contains("f:connectedClients")
        .doesNotContain("f:pods");
    assertThat(managedFields(tenant, OperatorConfig.FIELD_MANAGER)).contains("f:conditions").doesNotContain("f:runtime");
    assertThat(managedFields(tenant, "slipstream-runtime-agg-runtime-a")).contains("agg-runtime-a")
        .doesNotContain("agg-runtime-b").doesNotContain("f:connectedClients");

    // A hand-over: both say Leader for a moment; the most recent report wins.
    report("agg", "agg-runtime-b", 85, "Leader", Instant.now().plusSeconds(1));
    awaitRuntime("agg", r -> {
      assertThat(r.getLeader()).isEqualTo("agg-runtime-b");
      assertThat(r.getConnectedClients()).isEqualTo(205L);
    });
    assertThat(tenant("agg").getStatus().getRuntime().getPods()).hasSize(2);
  }

  @Test
  void prunesTheEntriesOfGoneAndSilentPodsOnly() {
    createTenant("prune", "replicas: {min: 1, max: 10}");
    startPod("prune", "prune-runtime-x");
    startPod("prune", "prune-runtime-y");
    startPod("prune", "prune-runtime-z");
    report("prune", "prune-runtime-x", 10, "Leader", Instant.now());
    report("prune", "prune-runtime-y", 20, "Follower", Instant.now());
    report("prune", "prune-runtime-z", 30, "Follower", Instant.now());
    // An entry whose pod never existed (or went before the operator started) goes too.
    report("prune", "prune-runtime-ghost", 1000, "Follower", Instant.now());
    awaitRuntime("prune", r -> {
      assertThat(names(r)).containsExactlyInAnyOrder("prune-runtime-x", "prune-runtime-y", "prune-runtime-z");
      assertThat(r.getConnectedClients()).isEqualTo(60L);
    });

    long deleted = System.nanoTime();
    operator.getKubernetesClient().pods().inNamespace(operator.getNamespace()).withName("prune-runtime-y")
        .withGracePeriod(0).delete();
    awaitRuntime("prune", r -> {
      assertThat(names(r)).containsExactlyInAnyOrder("prune-runtime-x", "prune-runtime-z");
      assertThat(r.getConnectedClients()).isEqualTo(40L);
    });
    System.out.printf("[measure] pod deleted -> its entry removed: %d ms%n", (System.nanoTime() - deleted) / 1_000_000);

    // A pod that lives but has not reported for longer than the timeout (300 s in these tests).
    report("prune", "prune-runtime-z", 30, "Follower", Instant.now().minus(Duration.ofMinutes(10)));
    awaitRuntime("prune", r -> {
      assertThat(names(r)).containsExactly("prune-runtime-x");
      assertThat(r.getConnectedClients()).isEqualTo(10L);
    });
    // It comes back by reporting again.
    report("prune", "prune-runtime-z", 31, "Follower", Instant.now());
    awaitRuntime("prune", r -> assertThat(r.getConnectedClients()).isEqualTo(41L));
  }

  @Test
  void scalesUpAtOnceWhenTheClientsExceedTheTarget() {
    createTenant("up", "replicas: {min: 1, max: 5}\n    targetClientsPerReplica: 10000");
    awaitReplicas("up", 1);
    startPod("up", "up-runtime-a");
    // At replicas.min 1 the new Deployment's default of 1 is right: a round of the loop applies nothing.
    report("up", "up-runtime-a", 5_000, "Leader", Instant.now());
    awaitRuntime("up", r -> assertThat(r.getConnectedClients()).isEqualTo(5_000L));
    assertThat(replicasOwners(deployment("up"))).as("managers of spec.replicas").isEmpty();

    long reported = System.nanoTime();
    report("up", "up-runtime-a", 25_000, "Leader", Instant.now());
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> replicas("up") == 3);
    System.out.printf("[measure] entry with 25,000 clients -> Deployment at 3 replicas: %d ms%n",
        (System.nanoTime() - reported) / 1_000_000);
    Event event = ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "up", "Normal", Autoscaler.SCALED_UP);
    assertThat(event.getMessage()).isEqualTo("Scaled runtime from 1 to 3: 25,000 clients over a target of 10,000 per replica");

    // Over the maximum: capped, and the event says so.
    report("up", "up-runtime-a", 80_000, "Leader", Instant.now());
    await().atMost(TIMEOUT).until(() -> replicas("up") == 5);
    assertThat(ClusterAsserts.events(operator, "RealtimeTenant", "up").stream().map(Event::getMessage))
        .contains("Scaled runtime from 3 to 5: 80,000 clients over a target of 10,000 per replica want 8, capped at "
            + "replicas.max 5");
    // The Deployment's replica count is the status loop's alone: the workflow leaves it out.
    assertThat(replicasOwners(deployment("up"))).containsExactly(OperatorConfig.RUNTIME_FIELD_MANAGER);
  }

  /** The field managers whose set holds the Deployment's {@code spec.replicas}. */
  private static List<String> replicasOwners(Deployment deployment) {
    return deployment.getMetadata().getManagedFields().stream()
        .filter(m -> m.getFieldsV1() != null && m.getFieldsV1().getAdditionalProperties().get("f:spec")
            instanceof java.util.Map<?, ?> spec && spec.containsKey("f:replicas"))
        .map(ManagedFieldsEntry::getManager).toList();
  }

  @Test
  void scalesDownOnlyAfterTheStabilizationWindow() {
    Duration window = Duration.ofSeconds(8);
    createTenant("down", "replicas: {min: 1, max: 5}\n    autoscaling: {scaleDownStabilization: 8s}");
    startPod("down", "down-runtime-a");
    report("down", "down-runtime-a", 25_000, "Leader", Instant.now());
    await().atMost(TIMEOUT).until(() -> replicas("down") == 3);

    Instant fewer = Instant.now();
    report("down", "down-runtime-a", 5_000, "Leader", Instant.now());
    Event pending = ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "down", "Normal", Autoscaler.SCALE_DOWN_PENDING);
    assertThat(pending.getMessage()).startsWith("Would scale runtime down from 3 to 1: 5,000 clients over a target of "
        + "10,000 per replica; waiting until that has held for 8s (scaleDownStabilization)");
    RuntimeStatus waiting = awaitRuntime("down", r -> assertThat(r.getPendingScaleDown()).isNotNull());
    assertThat(waiting.getPendingScaleDown().getReplicas()).isEqualTo(1);
    Instant since = Instant.parse(waiting.getPendingScaleDown().getSince());
    int during = replicas("down");
    if (Instant.now().isBefore(since.plus(window))) {
      // Read inside the window (a loaded machine may get here only after it): nothing scaled yet.
      assertThat(during).as("still waiting").isEqualTo(3);
    }

    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> replicas("down") == 1);
    Instant scaled = Instant.now();
    assertThat(Duration.between(fewer, scaled)).as("scaled down no sooner than the window after the clients left")
        .isGreaterThanOrEqualTo(window);
    assertThat(Duration.between(since, scaled)).isGreaterThanOrEqualTo(window);
    System.out.printf("[measure] clients dropped -> scaled down: %d ms (window %d ms)%n",
        Duration.between(fewer, scaled).toMillis(), window.toMillis());
    Event down = ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "down", "Normal", Autoscaler.SCALED_DOWN);
    assertThat(down.getMessage()).isEqualTo("Scaled runtime from 3 to 1: 5,000 clients over a target of 10,000 per "
        + "replica, for 8s (scaleDownStabilization)");
    awaitRuntime("down", r -> assertThat(r.getPendingScaleDown()).isNull());
  }

  @Test
  void clientsComingBackWithinTheWindowKeepThePods() {
    createTenant("bounce", "replicas: {min: 1, max: 5}\n    autoscaling: {scaleDownStabilization: 1h}");
    startPod("bounce", "bounce-runtime-a");
    report("bounce", "bounce-runtime-a", 25_000, "Leader", Instant.now());
    await().atMost(TIMEOUT).until(() -> replicas("bounce") == 3);

    report("bounce", "bounce-runtime-a", 100, "Leader", Instant.now());
    ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "bounce", "Normal", Autoscaler.SCALE_DOWN_PENDING);
    report("bounce", "bounce-runtime-a", 29_000, "Leader", Instant.now());
    ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "bounce", "Normal", Autoscaler.SCALE_DOWN_CANCELLED);
    awaitRuntime("bounce", r -> assertThat(r.getPendingScaleDown()).isNull());
    assertThat(replicas("bounce")).isEqualTo(3);
  }

  @Test
  void externalModeFollowsKubectlScaleAndIgnoresTheClients() {
    createTenant("ext", "replicas: {min: 1, max: 5, desired: 1}\n    autoscaling: {mode: External}");
    awaitReplicas("ext", 1);
    startPod("ext", "ext-runtime-a");
    report("ext", "ext-runtime-a", 999_999, "Leader", Instant.now());
    awaitRuntime("ext", r -> assertThat(r.getConnectedClients()).isEqualTo(999_999L));
    assertThat(replicas("ext")).isEqualTo(1);

    long scaled = System.nanoTime();
    CommandResult scale = TestCluster.kubectl(operator, "scale", "-n", operator.getNamespace(), "rtt/ext", "--replicas=3");
    assertThat(scale.succeeded()).as(scale.toString()).isTrue();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> replicas("ext") == 3);
    System.out.printf("[measure] kubectl scale rtt/ext --replicas=3 -> Deployment at 3: %d ms%n",
        (System.nanoTime() - scaled) / 1_000_000);
    Event event = ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "ext", "Normal", Autoscaler.SCALED_UP);
    assertThat(event.getMessage()).isEqualTo("Scaled runtime from 1 to 3: spec.runtime.replicas.desired is 3 "
        + "(autoscaling.mode External: kubectl scale or a HorizontalPodAutoscaler)");

    // The scale subresource reads back what the operator reports.
    reportDeploymentStatus("ext", 3, 2);
    awaitRuntime("ext", r -> assertThat(r.getReplicas()).isEqualTo(3));
    CommandResult read = TestCluster.kubectl(operator, "get", "--raw", "/apis/realtime.slipstream.dev/v1alpha1/namespaces/"
        + operator.getNamespace() + "/realtimetenants/ext/scale");
    assertThat(read.stdout()).contains("\"replicas\":3")
        .contains("\"selector\":\"app.kubernetes.io/name=slipstream-runtime,app.kubernetes.io/instance=ext\"");

    CommandResult down = TestCluster.kubectl(operator, "scale", "-n", operator.getNamespace(), "rtt/ext", "--replicas=2");
    assertThat(down.succeeded()).as(down.toString()).isTrue();
    await().atMost(TIMEOUT).until(() -> replicas("ext") == 2);
    ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "ext", "Normal", Autoscaler.SCALED_DOWN);
  }

  // --- the simulated cluster ---

  private void createTenant(String name, String runtimeYaml) {
    KubernetesClient client = operator.getKubernetesClient();
    operator.create(TestCluster.load(client, Secret.class, TestCluster.secretYaml(name + "-db",
        TestCluster.postgres().password())));
    operator.create(TestCluster.load(client, RealtimeTenant.class, TestCluster.tenantYaml(name, name + "-db", "Delete")
        + "  runtime:\n    " + runtimeYaml + "\n"));
    await().atMost(TIMEOUT).until(() -> deployment(name) != null);
  }

  /** A runtime pod as the Deployment would make it, reported Ready (no kubelet here). */
  private void startPod(String tenant, String pod) {
    KubernetesClient client = operator.getKubernetesClient();
    String ns = operator.getNamespace();
    await().atMost(TIMEOUT).until(() -> client.serviceAccounts().inNamespace(ns).withName(tenant + "-runtime").get() != null);
    client.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(pod).withLabels(RuntimeLabels.of(tenant)).endMetadata()
        .withNewSpec().withServiceAccountName(tenant + "-runtime").withAutomountServiceAccountToken(false)
        .addNewContainer().withName("runtime").withImage("slipstream-runtime:test").endContainer().endSpec()
        .build()).create();
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(ns).endMetadata()
        .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build()).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-kubelet").withForce(true).build());
  }

  /** What a runtime pod does every few seconds: apply its own entry, under its own field manager. */
  private void report(String tenant, String pod, long clients, String role, Instant at) {
    RealtimeTenant patch = new RealtimeTenant();
    patch.setMetadata(new ObjectMetaBuilder().withName(tenant).withNamespace(operator.getNamespace()).build());
    patch.setSpec(null);
    RealtimeTenantStatus status = new RealtimeTenantStatus();
    status.setConditions(null);
    RuntimeStatus runtime = new RuntimeStatus();
    RuntimePodStatus entry = new RuntimePodStatus(pod);
    entry.setClients(clients);
    entry.setChannels(clients / 2);
    entry.setRole(role);
    entry.setReady(true);
    entry.setReportedAt(at.toString());
    runtime.setPods(List.of(entry));
    status.setRuntime(runtime);
    patch.setStatus(status);
    operator.getKubernetesClient().resource(patch).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("slipstream-runtime-" + pod).withForce(true).build());
  }

  /** What the Deployment controller would report. */
  private void reportDeploymentStatus(String tenant, int replicas, int ready) {
    String ns = operator.getNamespace();
    operator.getKubernetesClient().apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
            .withNewMetadata().withName(tenant + "-runtime").withNamespace(ns).endMetadata()
            .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready).endStatus()
            .build())
        .subresource("status").patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager("test-deployment-controller").withForce(true).build());
  }

  private RuntimeStatus awaitRuntime(String tenant, java.util.function.Consumer<RuntimeStatus> check) {
    AtomicReference<RuntimeStatus> seen = new AtomicReference<>();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      RealtimeTenant current = tenant(tenant);
      assertThat(current.getStatus()).isNotNull();
      assertThat(current.getStatus().getRuntime()).as("status.runtime of " + tenant).isNotNull();
      check.accept(current.getStatus().getRuntime());
      seen.set(current.getStatus().getRuntime());
    });
    return seen.get();
  }

  private void awaitReplicas(String tenant, int replicas) {
    await().atMost(TIMEOUT).until(() -> replicas(tenant) == replicas);
  }

  private RealtimeTenant tenant(String name) {
    return operator.get(RealtimeTenant.class, name);
  }

  private Deployment deployment(String tenant) {
    return operator.getKubernetesClient().apps().deployments().inNamespace(operator.getNamespace())
        .withName(tenant + "-runtime").get();
  }

  private int replicas(String tenant) {
    Deployment deployment = deployment(tenant);
    return deployment == null || deployment.getSpec().getReplicas() == null ? -1 : deployment.getSpec().getReplicas();
  }

  private static List<String> names(RuntimeStatus runtime) {
    return runtime.getPods().stream().map(RuntimePodStatus::getName).toList();
  }

  /** The fields a manager owns on the tenant's status, as text. */
  private static String managedFields(RealtimeTenant tenant, String manager) {
    return tenant.getMetadata().getManagedFields().stream()
        .filter(m -> manager.equals(m.getManager()) && "status".equals(m.getSubresource()))
        .map(ManagedFieldsEntry::getFieldsV1).map(f -> String.valueOf(f.getAdditionalProperties()))
        .reduce("", String::concat);
  }
}
