package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.operator.tenant.dependent.SlotHistory;
import dev.slipstream.testing.postgres.TestPostgres;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tenant reconciler's database side against a real API server and a real PostgreSQL 17. */
class TenantReconcilerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final TestPostgres postgres = TestCluster.postgres();

  @Test
  void createsTheSlotReportsItAndDropsItOnDelete() throws SQLException {
    create("alpha", postgres.password(), "Delete");
    String slot = SlotNames.derive(operator.getNamespace(), "alpha");

    RealtimeTenant tenant = awaitCondition("alpha", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");
    assertThat(Conditions.find(tenant.getStatus().getConditions(), ConditionTypes.DATABASE_READY))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.TRUE));
    assertThat(tenant.getStatus().getPhase()).isEqualTo(TenantPhase.PROVISIONING);
    assertThat(tenant.getStatus().getObservedGeneration()).isEqualTo(tenant.getMetadata().getGeneration());
    assertThat(tenant.getStatus().getSlot().getName()).isEqualTo(slot);
    assertThat(tenant.getStatus().getSlot().getActive()).isFalse();
    assertThat(tenant.getStatus().getSlot().getWalStatus()).isEqualTo("reserved");
    assertThat(tenant.getStatus().getSlot().getConfirmedFlushLsn()).isNotBlank();
    assertThat(tenant.getStatus().getSlot().getLagBytes()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(slotPlugin(slot)).contains("pgoutput");
    // Added by the reconciler in the round that made the slot, not in a round of JOSDK's own before it.
    assertThat(tenant.getMetadata().getFinalizers()).containsExactly(TenantReconciler.FINALIZER);
    String lagSeries = "slipstream_tenant_slot_lag_bytes{namespace=\"" + operator.getNamespace() + "\",slot=\"" + slot
        + "\",tenant=\"alpha\"}";
    assertThat(TestCluster.METRICS.scrape()).as("the slot lag gauge").contains(lagSeries);

    operator.delete(operator.get(RealtimeTenant.class, "alpha"));
    await().atMost(TIMEOUT).until(() -> operator.get(RealtimeTenant.class, "alpha") == null);
    assertThat(slotPlugin(slot)).isEmpty();
    assertThat(TestCluster.METRICS.scrape()).as("the gauge goes with the tenant").doesNotContain(lagSeries);
  }

  @Test
  void buildsTheRuntimeUndoesEditsAndRollsItWhenTheSecretRotates() {
    create("zeta", postgres.password(), "Delete");
    awaitCondition("zeta", ConditionTypes.RUNTIME_READY, Condition.FALSE, "Reconciling");
    KubernetesClient client = operator.getKubernetesClient();
    String ns = operator.getNamespace();

    Deployment deployment = ownedBy(client.apps().deployments().inNamespace(ns).list().getItems(), "zeta").get(0);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).isNotEmpty();
    assertThat(ownedBy(client.services().inNamespace(ns).list().getItems(), "zeta")).hasSize(2);
    assertThat(ownedBy(client.configMaps().inNamespace(ns).list().getItems(), "zeta")).hasSize(1);
    assertThat(ownedBy(client.serviceAccounts().inNamespace(ns).list().getItems(), "zeta")).hasSize(1);
    assertThat(ownedBy(client.rbac().roles().inNamespace(ns).list().getItems(), "zeta")).hasSize(1);
    assertThat(ownedBy(client.rbac().roleBindings().inNamespace(ns).list().getItems(), "zeta")).hasSize(1);
    String checksum = checksum(deployment);
    assertThat(checksum).isNotBlank();

    // No kubelet here: stand in for it by reporting the pods ready.
    Deployment withStatus = new DeploymentBuilder().withNewMetadata().withName(deployment.getMetadata().getName())
        .withNamespace(ns).endMetadata().withNewStatus().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
        .endStatus().build();
    client.apps().deployments().inNamespace(ns).resource(withStatus).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-kubelet")
            .withForce(true).build());
    RealtimeTenant ready = awaitCondition("zeta", ConditionTypes.READY, Condition.TRUE, "Available");
    assertThat(ready.getStatus().getPhase()).isEqualTo(TenantPhase.READY);
    assertThat(ready.getStatus().getEndpoints()).isNotNull();

    // Someone edits the pod template: the operator puts its own back (its cache keeps no template,
    // only the digest of the spec its apply left: AppliedTemplates).
    var runtime = client.apps().deployments().inNamespace(ns).withName(deployment.getMetadata().getName());
    String image = runtime.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    runtime.edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec().editFirstContainer()
        .withImage("someone/else:1").endContainer().endSpec().endTemplate().endSpec().build());
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        runtime.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(image));

    client.resource(TestCluster.load(client, Secret.class, TestCluster.secretYaml("zeta-db", "rotated"))).inNamespace(ns)
        .update();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(checksum(
        client.apps().deployments().inNamespace(ns).withName(deployment.getMetadata().getName()).get()))
        .isNotEqualTo(checksum));
  }

  private static <T extends HasMetadata> List<T> ownedBy(List<T> items, String tenant) {
    return items.stream().filter(i -> i.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> "RealtimeTenant".equals(o.getKind()) && tenant.equals(o.getName()))).toList();
  }

  private static String checksum(Deployment deployment) {
    return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(RuntimeModel.CONFIG_CHECKSUM_ANNOTATION);
  }

  @Test
  void retainKeepsTheSlot() throws SQLException {
    create("beta", postgres.password(), "Retain");
    String slot = SlotNames.derive(operator.getNamespace(), "beta");
    awaitCondition("beta", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");

    operator.delete(operator.get(RealtimeTenant.class, "beta"));
    await().atMost(TIMEOUT).until(() -> operator.get(RealtimeTenant.class, "beta") == null);
    assertThat(slotPlugin(slot)).contains("pgoutput");
    postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
  }

  @Test
  void missingSecretIsACondition() throws SQLException {
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("gamma", "gamma-db", "Delete")));
    RealtimeTenant tenant = awaitCondition("gamma", ConditionTypes.DATABASE_READY, Condition.FALSE,
        MissingInputException.SECRET_NOT_FOUND);
    assertThat(tenant.getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);
    assertThat(Conditions.find(tenant.getStatus().getConditions(), ConditionTypes.SLOT_READY))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.UNKNOWN));
    assertThat(slotPlugin(SlotNames.derive(operator.getNamespace(), "gamma"))).isEmpty();
  }

  @Test
  void unreachableDatabaseIsACondition() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("epsilon-db", postgres.password())));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("epsilon", "epsilon-db", "Retain", closedPort)));
    RealtimeTenant tenant = awaitCondition("epsilon", ConditionTypes.DATABASE_READY, Condition.FALSE, "DatabaseUnreachable");
    assertThat(tenant.getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);
    assertThat(Conditions.find(tenant.getStatus().getConditions(), ConditionTypes.DATABASE_READY).get().getMessage())
        .contains("localhost:" + closedPort);
  }

  @Test
  void aSlotDroppedBehindTheOperatorsBackIsReportedNotRecreated() throws SQLException {
    create("delta", postgres.password(), "Delete");
    String slot = SlotNames.derive(operator.getNamespace(), "delta");
    awaitCondition("delta", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");

    postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
    awaitCondition("delta", ConditionTypes.SLOT_READY, Condition.FALSE, TenantStatus.SLOT_LOST);
    // Several rechecks (every 2 s here) later it is still reported, and still absent.
    await().pollDelay(Duration.ofSeconds(6)).atMost(TIMEOUT).untilAsserted(() -> assertThat(slotPlugin(slot)).isEmpty());
    assertThat(operator.get(RealtimeTenant.class, "delta").getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);

    RealtimeTenant tenant = operator.get(RealtimeTenant.class, "delta");
    tenant.getMetadata().setAnnotations(Map.of(SlotHistory.RECREATE_SLOT_ANNOTATION, "true"));
    operator.replace(tenant);
    awaitCondition("delta", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");
    assertThat(slotPlugin(slot)).contains("pgoutput");
  }

  private void create(String name, String password, String reclaimPolicy) {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class, TestCluster.secretYaml(name + "-db", password)));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml(name, name + "-db", reclaimPolicy)));
  }

  private RealtimeTenant awaitCondition(String name, String type, String status, String reason) {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      RealtimeTenant current = operator.get(RealtimeTenant.class, name);
      Optional<Condition> condition = current == null || current.getStatus() == null ? Optional.empty()
          : Conditions.find(current.getStatus().getConditions(), type);
      assertThat(condition).as(type + " of " + name).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo(status);
        assertThat(c.getReason()).isEqualTo(reason);
      });
    });
    return operator.get(RealtimeTenant.class, name);
  }

  private static Optional<String> slotPlugin(String slot) throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement("SELECT plugin FROM pg_replication_slots WHERE slot_name = ?")) {
      query.setString(1, slot);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }
}
