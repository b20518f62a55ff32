package dev.slipstream.runtime.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.runtime.cluster.ClusterSettings;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pods' entries of {@code status.runtime.pods[]} on a real API server with Slipstream's CRDs: each
 * pod applies its own entry under its own field manager, beside the operator's fields.
 */
class PodStatusReporterIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String OPERATOR_RUNTIME_MANAGER = "slipstream-operator-runtime";
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private String namespace;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : cleanup.reversed()) {
      closeable.close();
    }
  }

  @Test
  void twoPodsReportTheirEntriesBesideTheOperatorsFields() {
    newNamespace();
    createTenant("acme");
    operatorApplies("acme", 2, "acme-runtime-a");

    PodStatusReporter a = reporter("acme", "acme-runtime-a", Duration.ofSeconds(1), () -> entry("Leader", 120));
    PodStatusReporter b = reporter("acme", "acme-runtime-b", Duration.ofSeconds(1), () -> entry("Follower", 80));
    Instant started = Instant.now().minusSeconds(1);
    a.start();
    b.start();

    Map<String, RuntimePodStatus> first = awaitEntries("acme", e -> assertThat(e).containsOnlyKeys("acme-runtime-a",
        "acme-runtime-b"));
    RuntimePodStatus leader = first.get("acme-runtime-a");
    assertThat(leader.getRole()).isEqualTo("Leader");
    assertThat(leader.getClients()).isEqualTo(120L);
    assertThat(leader.getReady()).isTrue();
    assertThat(leader.getRelayAddress()).isEqualTo("10.0.0.1:4001");
    assertThat(Instant.parse(leader.getReportedAt())).isAfter(started);
    assertThat(first.get("acme-runtime-b").getClients()).isEqualTo(80L);

    // Both pods write again (every second); the operator's fields stay.
    awaitEntries("acme", e -> {
      assertThat(e).containsKeys("acme-runtime-a", "acme-runtime-b");
      assertThat(Instant.parse(e.get("acme-runtime-a").getReportedAt())).isAfter(Instant.parse(leader.getReportedAt()));
      assertThat(Instant.parse(e.get("acme-runtime-b").getReportedAt()))
          .isAfter(Instant.parse(first.get("acme-runtime-b").getReportedAt()));
    });
    RealtimeTenant tenant = tenant("acme");
    assertThat(tenant.getStatus().getRuntime().getReplicas()).isEqualTo(2);
    assertThat(tenant.getStatus().getRuntime().getLeader()).isEqualTo("acme-runtime-a");
    assertThat(tenant.getStatus().getConditions()).extracting("type").containsExactly("Ready");

    // The operator's next apply (without the pods) leaves the entries alone.
    operatorApplies("acme", 3, "acme-runtime-a");
    tenant = tenant("acme");
    assertThat(tenant.getStatus().getRuntime().getReplicas()).isEqualTo(3);
    assertThat(entries(tenant)).containsOnlyKeys("acme-runtime-a", "acme-runtime-b");

    // Each pod's manager owns its entry and nothing else.
    assertThat(a.fieldManager()).isEqualTo("slipstream-runtime-acme-runtime-a");
    assertThat(managedFields(tenant, a.fieldManager())).contains("acme-runtime-a").doesNotContain("acme-runtime-b")
        .doesNotContain("f:replicas").doesNotContain("f:conditions");
    assertThat(managedFields(tenant, OPERATOR_RUNTIME_MANAGER)).contains("f:replicas").doesNotContain("f:pods");
    assertThat(registry.get("slipstream.status.reports").tag("result", "ok").counter().count()).isGreaterThanOrEqualTo(4);
    assertThat(a.lastError()).isEmpty();
  }

  @Test
  void closeRemovesOnlyThePodsOwnEntry() {
    newNamespace();
    createTenant("bye");
    operatorApplies("bye", 2, "bye-runtime-a");
    PodStatusReporter a = reporter("bye", "bye-runtime-a", Duration.ofSeconds(1), () -> entry("Leader", 1));
    PodStatusReporter b = reporter("bye", "bye-runtime-b", Duration.ofSeconds(1), () -> entry("Follower", 2));
    a.start();
    b.start();
    awaitEntries("bye", e -> assertThat(e).containsOnlyKeys("bye-runtime-a", "bye-runtime-b"));

    long closing = System.nanoTime();
    a.close();
    System.out.printf("[measure] close() with the entry's removal: %d ms%n", (System.nanoTime() - closing) / 1_000_000);

    // close() waits up to 2 s for the removal; a loaded machine may take longer, so wait for it here.
    awaitEntries("bye", e -> assertThat(e).containsOnlyKeys("bye-runtime-b"));
    RealtimeTenant tenant = tenant("bye");
    assertThat(tenant.getStatus().getRuntime().getReplicas()).isEqualTo(2);
    assertThat(tenant.getStatus().getRuntime().getLeader()).isEqualTo("bye-runtime-a");
    assertThat(tenant.getStatus().getConditions()).extracting("type").containsExactly("Ready");
    assertThat(managers(tenant)).doesNotContain(a.fieldManager()).contains(b.fieldManager(), OPERATOR_RUNTIME_MANAGER);
    // b goes on writing; a does not come back.
    String lastOfB = entries(tenant).get("bye-runtime-b").getReportedAt();
    awaitEntries("bye", e -> assertThat(e).extractingByKey("bye-runtime-b").isNotNull()
        .extracting(RuntimePodStatus::getReportedAt).isNotEqualTo(lastOfB));
    assertThat(entries(tenant("bye"))).containsOnlyKeys("bye-runtime-b");
  }

  @Test
  void reportNowWritesARoleChangeLongBeforeTheInterval() {
    newNamespace();
    createTenant("role");
    AtomicReference<String> role = new AtomicReference<>("Follower");
    PodStatusReporter reporter = reporter("role", "role-runtime-a", Duration.ofHours(1), () -> entry(role.get(), 0));
    reporter.start();
    awaitEntries("role", e -> assertThat(e).extractingByKey("role-runtime-a").isNotNull()
        .extracting(RuntimePodStatus::getRole).isEqualTo("Follower"));

    long changed = System.nanoTime();
    role.set("Leader");
    reporter.reportNow();
    awaitEntries("role", e -> assertThat(e).extractingByKey("role-runtime-a").isNotNull()
        .extracting(RuntimePodStatus::getRole).isEqualTo("Leader"));
    Duration took = Duration.ofNanos(System.nanoTime() - changed);
    System.out.printf("[measure] reportNow() -> role visible on the tenant: %d ms (interval 1 h)%n", took.toMillis());
    assertThat(took).isLessThan(Duration.ofSeconds(30));

    // A burst of role changes is coalesced: a handful of writes, not one per call.
    double before = okReports();
    for (int i = 0; i < 200; i++) {
      reporter.reportNow();
    }
    await().atMost(TIMEOUT).until(() -> okReports() > before);
    await().during(Duration.ofSeconds(1)).atMost(TIMEOUT).until(() -> okReports() <= before + 3);
  }

  @Test
  void aTenantNotCreatedYetGetsTheEntryOnceItIs() {
    newNamespace();
    PodStatusReporter reporter = reporter("late", "late-runtime-a", Duration.ofMillis(500), () -> entry("Leader", 3));
    reporter.start();
    await().atMost(TIMEOUT).until(() -> reporter.lastError().isPresent());
    assertThat(reporter.lastError().orElseThrow()).contains("HTTP 404").contains("does not exist yet");
    assertThat(registry.get("slipstream.status.reports").tag("result", "failed").counter().count()).isPositive();

    createTenant("late");
    awaitEntries("late", e -> assertThat(e).containsOnlyKeys("late-runtime-a"));
    await().atMost(TIMEOUT).until(() -> reporter.lastError().isEmpty());
  }

  // --- fixtures ---

  private PodStatusReporter reporter(String tenant, String pod, Duration interval,
      java.util.function.Supplier<RuntimePodStatus> entry) {
    String relayHost = "10.0.0." + (pod.endsWith("-a") ? 1 : 2);
    ClusterSettings settings = new ClusterSettings(tenant, namespace, pod, relayHost, tenant + "-runtime-leader",
        4001, Duration.ofSeconds(5), interval);
    PodStatusReporter reporter = new PodStatusReporter(kube.client(), settings, () -> {
      RuntimePodStatus status = entry.get();
      status.setRelayAddress(settings.relayAddress());
      return status;
    }, Clock.systemUTC(), registry);
    cleanup.add(reporter);
    return reporter;
  }

  private static RuntimePodStatus entry(String role, long clients) {
    RuntimePodStatus entry = new RuntimePodStatus();
    entry.setRole(role);
    entry.setClients(clients);
    entry.setChannels(clients / 2);
    entry.setReady(true);
    return entry;
  }

  private double okReports() {
    return registry.get("slipstream.status.reports").tag("result", "ok").counter().count();
  }

  private void newNamespace() {
    namespace = "status-" + NAMESPACES.incrementAndGet();
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
        .build()).create();
  }

  private void createTenant(String name) {
    RealtimeTenant tenant = kube.client().getKubernetesSerialization().unmarshal("""
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: %s, namespace: %s}
        spec:
          database: {host: db.example, port: 5432, name: app, sslMode: disable, credentialsSecretRef: {name: db}}
        """.formatted(name, namespace), RealtimeTenant.class);
    kube.client().resource(tenant).create();
  }

  /** What the operator's runtime reconciler writes: status.runtime without the pods, and a condition. */
  private void operatorApplies(String tenant, int replicas, String leader) {
    String body = """
        {"apiVersion": "realtime.slipstream.dev/v1alpha1", "kind": "RealtimeTenant",
         "metadata": {"name": "%s", "namespace": "%s"},
         "status": {"runtime": {"replicas": %d, "readyReplicas": %d, "leader": "%s"}}}
        """.formatted(tenant, namespace, replicas, replicas, leader);
    applyStatus(tenant, OPERATOR_RUNTIME_MANAGER, body);
    applyStatus(tenant, "slipstream-operator", """
        {"apiVersion": "realtime.slipstream.dev/v1alpha1", "kind": "RealtimeTenant",
         "metadata": {"name": "%s", "namespace": "%s"},
         "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "RuntimeNotReady",
                                    "message": "test", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
        """.formatted(tenant, namespace));
  }

  private void applyStatus(String tenant, String manager, String body) {
    kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName(tenant).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(manager)
            .withForce(true).build(), body);
  }

  private RealtimeTenant tenant(String name) {
    return kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName(name).get();
  }

  private Map<String, RuntimePodStatus> awaitEntries(String tenant,
      java.util.function.Consumer<Map<String, RuntimePodStatus>> check) {
    AtomicReference<Map<String, RuntimePodStatus>> seen = new AtomicReference<>();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      Map<String, RuntimePodStatus> entries = entries(tenant(tenant));
      check.accept(entries);
      seen.set(entries);
    });
    return seen.get();
  }

  private static Map<String, RuntimePodStatus> entries(RealtimeTenant tenant) {
    return Optional.ofNullable(tenant).map(RealtimeTenant::getStatus).map(s -> s.getRuntime())
        .map(r -> r.getPods()).orElse(List.of()).stream()
        .collect(Collectors.toMap(RuntimePodStatus::getName, Function.identity()));
  }

  private static List<String> managers(RealtimeTenant tenant) {
    return tenant.getMetadata().getManagedFields().stream().map(ManagedFieldsEntry::getManager).toList();
  }

  /** The fields a manager owns on the tenant's status, as text. */
  private static String managedFields(RealtimeTenant tenant, String manager) {
    return tenant.getMetadata().getManagedFields().stream()
        .filter(m -> manager.equals(m.getManager()) && "status".equals(m.getSubresource()))
        .map(ManagedFieldsEntry::getFieldsV1).map(f -> String.valueOf(f.getAdditionalProperties()))
        .reduce("", String::concat);
  }
}
