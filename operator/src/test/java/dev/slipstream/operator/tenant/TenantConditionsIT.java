package dev.slipstream.operator.tenant;

import static dev.slipstream.operator.tenant.ClusterAsserts.awaitEvent;
import static dev.slipstream.operator.tenant.ClusterAsserts.awaitTenantCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events on condition transitions, the lag budget, PublicationsReady and the phase they add up to. */
class TenantConditionsIT {

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final TestPostgres postgres = TestCluster.postgres();

  @Test
  void conditionTransitionsAreRecordedAsEvents() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("ev", "ev-db", "Delete")));
    RealtimeTenant failing = awaitTenantCondition(operator, "ev", ConditionTypes.DATABASE_READY, Condition.FALSE,
        MissingInputException.SECRET_NOT_FOUND);
    Event warning = awaitEvent(operator, "RealtimeTenant", "ev", "Warning", MissingInputException.SECRET_NOT_FOUND);
    assertThat(warning.getMessage()).isEqualTo(condition(failing, ConditionTypes.DATABASE_READY).getMessage())
        .contains("ev-db");
    assertThat(warning.getInvolvedObject().getUid()).isEqualTo(failing.getMetadata().getUid());
    assertThat(warning.getInvolvedObject().getApiVersion()).isEqualTo("realtime.slipstream.dev/v1alpha1");

    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("ev-db", postgres.password())));
    RealtimeTenant fixed = awaitTenantCondition(operator, "ev", ConditionTypes.DATABASE_READY, Condition.TRUE, "Available");
    String databaseReady = condition(fixed, ConditionTypes.DATABASE_READY).getMessage();
    // PublicationsReady ("no publications") was Normal/Available from the start: look for DatabaseReady's.
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() ->
        assertThat(ClusterAsserts.events(operator, "RealtimeTenant", "ev")).anySatisfy(e -> {
          assertThat(e.getType()).isEqualTo("Normal");
          assertThat(e.getReason()).isEqualTo("Available");
          assertThat(e.getMessage()).isEqualTo(databaseReady);
          assertThat(e.getSource().getComponent()).isEqualTo("slipstream-operator");
        }));
  }

  @Test
  void lagOverTheBudgetIsReportedAndClearsWhenTheBudgetIsRaised() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("lag-db", postgres.password())));
    RealtimeTenant tenant = TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("lag", "lag-db", "Delete"));
    tenant.getSpec().getReplication().setMaxLagBytes(new io.fabric8.kubernetes.api.model.Quantity("1Ki"));
    operator.create(tenant);
    awaitTenantCondition(operator, "lag", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");
    ClusterAsserts.reportRuntimeReady(operator, "lag");

    // Nothing consumes the slot (no runtime pod really runs), so every write grows its lag.
    postgres.execute("CREATE TABLE IF NOT EXISTS public.lag_rows (id bigint PRIMARY KEY, payload text)",
        "INSERT INTO public.lag_rows SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g ON CONFLICT DO NOTHING");
    RealtimeTenant over = awaitTenantCondition(operator, "lag", ConditionTypes.LAG_WITHIN_BUDGET, Condition.FALSE,
        LagBudget.OVER_BUDGET);
    assertThat(condition(over, ConditionTypes.LAG_WITHIN_BUDGET).getMessage())
        .matches("the slot holds \\d+\\.\\d (KiB|MiB) of WAL, over the 1\\.0 KiB budget \\(spec\\.replication\\.maxLagBytes\\)");
    awaitEvent(operator, "RealtimeTenant", "lag", "Warning", LagBudget.OVER_BUDGET);
    // Streaming works, the disk fills: Degraded, and Ready is False because not every condition is True.
    // (Once the stand-in kubelet's report is seen; until then RuntimeReady is False too.)
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> {
      RealtimeTenant degraded = operator.get(RealtimeTenant.class, "lag");
      assertThat(degraded.getStatus().getPhase()).isEqualTo(TenantPhase.DEGRADED);
      assertThat(condition(degraded, ConditionTypes.READY).getStatus()).isEqualTo(Condition.FALSE);
      assertThat(condition(degraded, ConditionTypes.READY).getMessage()).isEqualTo("LagWithinBudget not True");
    });

    ClusterAsserts.patchTenantSpec(operator, "lag", "{\"replication\":{\"maxLagBytes\":\"1Gi\"}}");
    RealtimeTenant within = awaitTenantCondition(operator, "lag", ConditionTypes.LAG_WITHIN_BUDGET, Condition.TRUE,
        LagBudget.WITHIN_BUDGET);
    assertThat(condition(within, ConditionTypes.LAG_WITHIN_BUDGET).getMessage()).contains("within the 1.0 GiB budget");
    RealtimeTenant ready = awaitTenantCondition(operator, "lag", ConditionTypes.READY, Condition.TRUE, "Available");
    assertThat(ready.getStatus().getPhase()).isEqualTo(TenantPhase.READY);
  }

  @Test
  void publicationsReadyFollowsTheTenantsPublications() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("pubs-db", postgres.password())));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("pubs", "pubs-db", "Delete")));
    RealtimeTenant none = awaitTenantCondition(operator, "pubs", ConditionTypes.PUBLICATIONS_READY, Condition.TRUE,
        "Available");
    assertThat(condition(none, ConditionTypes.PUBLICATIONS_READY).getMessage()).isEqualTo("no publications");
    ClusterAsserts.reportRuntimeReady(operator, "pubs");
    awaitTenantCondition(operator, "pubs", ConditionTypes.READY, Condition.TRUE, "Available");

    postgres.execute("CREATE TABLE IF NOT EXISTS public.pubs_items (id bigint PRIMARY KEY)");
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimePublication.class, """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: items}
        spec:
          tenantRef: {name: pubs}
          tables: [{schema: public, name: pubs_no_such_table}]
          reclaimPolicy: Delete
        """));
    // First "items (not reconciled yet)", then the publication's own reason.
    RealtimeTenant notReady = awaitTenantCondition(operator, "pubs", ConditionTypes.PUBLICATIONS_READY, Condition.FALSE,
        TenantPublications.PUBLICATIONS_NOT_READY, "items (TableNotFound)");
    assertThat(condition(notReady, ConditionTypes.PUBLICATIONS_READY).getMessage())
        .isEqualTo("1 of 1 publication(s) not ready: items (TableNotFound)");
    RealtimeTenant provisioning = awaitTenantCondition(operator, "pubs", ConditionTypes.READY, Condition.FALSE,
        "DependencyNotReady");
    assertThat(provisioning.getStatus().getPhase()).isEqualTo(TenantPhase.PROVISIONING);

    operator.getKubernetesClient().resources(RealtimePublication.class).inNamespace(operator.getNamespace())
        .withName("items").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"tables\":[{\"schema\":\"public\",\"name\":\"pubs_items\"}]}}");
    RealtimeTenant ready = awaitTenantCondition(operator, "pubs", ConditionTypes.PUBLICATIONS_READY, Condition.TRUE,
        "Available", "publication(s) ready");
    assertThat(condition(ready, ConditionTypes.PUBLICATIONS_READY).getMessage()).isEqualTo("1 publication(s) ready");
    assertThat(awaitTenantCondition(operator, "pubs", ConditionTypes.READY, Condition.TRUE, "Available")
        .getStatus().getPhase()).isEqualTo(TenantPhase.READY);
  }

  /**
   * A new tenant's publication turning Ready while the tenant waits for its pods does not wake it on
   * its own ({@link ProvisioningWaits}); the pods' readiness does, and that round reads the
   * publication: the tenant is Ready with its publication counted, not PublicationsReady=False
   * until some later round.
   */
  @Test
  void aPublicationReadyBeforeThePodsIsReadWhenThePodsAreReady() {
    postgres.execute("CREATE TABLE IF NOT EXISTS public.early_items (id bigint PRIMARY KEY)");
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("early-db", postgres.password())));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("early", "early-db", "Delete")));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimePublication.class, """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: early-items}
        spec:
          tenantRef: {name: early}
          tables: [{schema: public, name: early_items}]
          reclaimPolicy: Delete
        """));
    await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
      RealtimePublication publication = operator.get(RealtimePublication.class, "early-items");
      assertThat(publication.getStatus()).isNotNull();
      assertThat(Conditions.isTrue(publication.getStatus().getConditions(), ConditionTypes.READY)).isTrue();
    });
    // The round that made the Deployment wrote RuntimeReady=False after its status loop ran.
    RealtimeTenant provisioning = awaitTenantCondition(operator, "early", ConditionTypes.RUNTIME_READY, Condition.FALSE,
        Reasons.RECONCILING);
    assertThat(provisioning.getStatus().getRuntime()).as("no status.runtime of zeros before the pods are counted")
        .isNull();
    ClusterAsserts.reportRuntimeReady(operator, "early");
    RealtimeTenant ready = awaitTenantCondition(operator, "early", ConditionTypes.READY, Condition.TRUE, "Available");
    assertThat(condition(ready, ConditionTypes.PUBLICATIONS_READY).getMessage()).isEqualTo("1 publication(s) ready");
    assertThat(ready.getStatus().getRuntime().getReadyReplicas()).as("status.runtime, once the pods are counted")
        .isEqualTo(1);
    assertThat(TestCluster.METRICS.scrape()).as("why the workflow ran")
        .contains("slipstream_operator_workflow_runs_total{reason=\"first\"}")
        .contains("slipstream_operator_workflow_runs_total{reason=\"changed\"}");
  }

  private static Condition condition(RealtimeTenant tenant, String type) {
    return Conditions.find(tenant.getStatus().getConditions(), type).orElseThrow();
  }
}
