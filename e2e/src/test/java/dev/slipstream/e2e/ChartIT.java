package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.Main;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Helm chart, through embedded Helm 3 (helm-java), on a real kube-apiserver with RBAC: it
 * lints, renders the configured values into the operator's environment, installs (CRDs included),
 * and the ClusterRole it grants is enough: an operator acting as the chart's ServiceAccount
 * (impersonated) takes an example tenant to Ready on a real PostgreSQL, and is refused what the
 * chart does not grant.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.bare();

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Path CHART = RepositoryLayout.root().resolve("charts/slipstream");
  private static final String NAMESPACE = "slipstream-system";
  private static final String SERVICE_ACCOUNT = "system:serviceaccount:" + NAMESPACE + ":slipstream-operator";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  @Order(1)
  void theChartLintsClean() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  @Order(2)
  void valuesReachTheOperatorsEnvironment() {
    String rendered = new Helm(CHART).template().withName("slipstream").withNamespace(NAMESPACE)
        .set("operator.watchNamespaces[0]", "acme").set("operator.watchNamespaces[1]", "globex")
        .set("operator.logFormat", "json").set("operator.recheckInterval", "45s")
        .set("operator.runtimeReportTimeout", "20s")
        .set("runtime.image.repository", "registry.example/slipstream-runtime").set("runtime.image.tag", "1.2.3")
        .call();
    String document = java.util.Arrays.stream(rendered.split("(?m)^---$"))
        .filter(d -> d.contains("\nkind: Deployment")).findFirst().orElseThrow();
    Deployment deployment = kube.client().getKubernetesSerialization().unmarshal(document, Deployment.class);
    Map<String, String> env = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsEntry("SLIPSTREAM_WATCH_NAMESPACES", "acme,globex")
        .containsEntry("SLIPSTREAM_LOG_FORMAT", "json")
        .containsEntry("SLIPSTREAM_RECHECK_INTERVAL", "PT45S")
        .containsEntry("SLIPSTREAM_RUNTIME_REPORT_TIMEOUT", "PT20S")
        .containsEntry("SLIPSTREAM_RUNTIME_IMAGE", "registry.example/slipstream-runtime:1.2.3");
    // The operator itself accepts what the chart renders.
    OperatorConfig config = OperatorConfig.fromEnv(env);
    assertThat(config.recheckInterval()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.runtimeReportTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.watchedNamespaces()).containsExactlyInAnyOrder("acme", "globex");
  }

  @Test
  @Order(3)
  void installsWithItsCrdsAndGrantsTheOperatorExactlyWhatItNeeds() throws Exception {
    Release release = Helm.install(CHART.toString()).withName("slipstream").withNamespace(NAMESPACE).createNamespace()
        .withKubeConfig(kube.kubeconfig()).call();
    assertThat(release.getStatus()).isEqualTo("deployed");
    assertThat(kube.client().apiextensions().v1().customResourceDefinitions()
        .withName("realtimetenants.realtime.slipstream.dev").get()).isNotNull();
    assertThat(kube.client().apps().deployments().inNamespace(NAMESPACE).withName("slipstream-operator").get())
        .isNotNull();

    assertThat(canI("create", "deployments", "acme")).isTrue();
    assertThat(canI("patch", "realtimetenants/status", "acme")).isTrue();
    assertThat(canI("get", "secrets", "acme")).isTrue();
    assertThat(canI("create", "secrets", "acme")).as("the operator never writes Secrets").isFalse();
    assertThat(canI("patch", "deployments", "acme")).as("the runtime reconciler scales the runtime").isTrue();
    assertThat(canI("watch", "pods", "acme")).as("the runtime reconciler watches the runtime pods").isTrue();
    assertThat(canI("get", "pods", "acme")).isTrue();
    assertThat(canI("delete", "pods", "acme")).as("pods are read, never touched").isFalse();
    assertThat(canI("patch", "pods", "acme")).isFalse();
    assertThat(canI("delete", "namespaces", "")).isFalse();

    // The operator, as the chart's ServiceAccount, reconciles an example tenant on a real PostgreSQL.
    kube.kubectl("create", "namespace", "acme");
    postgres.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text, total numeric)");
    kube.kubectlApply("acme", """
        apiVersion: v1
        kind: Secret
        metadata: {name: acme-db}
        stringData: {username: %s, password: %s}
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: acme}
        spec:
          database: {host: localhost, port: %d, name: %s, sslMode: disable, credentialsSecretRef: {name: acme-db}}
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: orders}
        spec:
          tenantRef: {name: acme}
          tables: [{name: orders}]
          access: [{table: public.orders, column: customer_id, claim: sub}]
        """.formatted(postgres.user(), postgres.password(), postgres.port(), postgres.database()));
    Config asOperator = Config.fromKubeconfig(Files.readString(kube.kubeconfig()));
    asOperator.setImpersonateUsername(SERVICE_ACCOUNT);
    asOperator.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated");
    KubernetesClient operatorClient = new KubernetesClientBuilder().withConfig(asOperator).build();
    assertThatThrownBy(() -> operatorClient.secrets().inNamespace("acme").resource(new io.fabric8.kubernetes.api.model
        .SecretBuilder().withNewMetadata().withName("nope").endMetadata().build()).create())
        .as("the impersonated client is held to the chart's ClusterRole")
        .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(403));
    Operator operator = Main.start(operatorClient, OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RECHECK_INTERVAL", "2")),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Main.leaderElection(NAMESPACE));
    try {
      await().atMost(WAIT).until(() -> kube.client().apps().deployments().inNamespace("acme").list().getItems().size() == 1);
      Deployment runtime = kube.client().apps().deployments().inNamespace("acme").list().getItems().getFirst();
      markReady(runtime);
      await().atMost(WAIT).until(() -> {
        RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get();
        return tenant.getStatus() != null && tenant.getStatus().getPhase() == TenantPhase.READY;
      });
      // The runtime's status loop, under the same ClusterRole: it watches the pods, aggregates status.runtime
      // and owns the runtime Deployment's replica count.
      await().atMost(WAIT).untilAsserted(() -> {
        RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get();
        assertThat(tenant.getStatus().getRuntime()).isNotNull();
        assertThat(tenant.getStatus().getRuntime().getSelector()).contains("app.kubernetes.io/instance=acme");
        assertThat(tenant.getStatus().getRuntime().getReadyReplicas()).isEqualTo(1);
        Deployment scaled = kube.client().apps().deployments().inNamespace("acme").withName(runtime.getMetadata().getName())
            .get();
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(1);
        assertThat(scaled.getMetadata().getManagedFields()).anySatisfy(m -> assertThat(m.getManager())
            .isEqualTo(OperatorConfig.RUNTIME_FIELD_MANAGER));
      });
      String accessRules = kube.client().configMaps().inNamespace("acme").list().getItems().getFirst().getData()
          .get("SLIPSTREAM_ACCESS_RULES");
      assertThat(accessRules).isEqualTo("public.orders:customer_id=sub");
      assertThat(kube.client().leases().inNamespace(NAMESPACE).withName("slipstream-operator-leader").get())
          .as("the leader Lease, held as the ServiceAccount").isNotNull();
    } finally {
      Main.stop(operator);
    }
  }

  /** {@code kubectl auth can-i} as the chart's ServiceAccount. */
  private static boolean canI(String verb, String resource, String namespace) {
    CommandResult result = namespace.isEmpty()
        ? kube.kubectl("auth", "can-i", verb, resource, "--as=" + SERVICE_ACCOUNT)
        : kube.kubectl("auth", "can-i", verb, resource, "-n", namespace, "--as=" + SERVICE_ACCOUNT);
    return result.stdout().trim().equals("yes");
  }

  /** No kubelet runs here: the runtime Deployment is told its pod is ready. */
  private static void markReady(Deployment runtime) {
    kube.client().apps().deployments().inNamespace("acme").resource(new DeploymentBuilder().withNewMetadata()
            .withName(runtime.getMetadata().getName()).withNamespace("acme").endMetadata().withNewStatus()
            .withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).endStatus().build())
        .subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-kubelet")
            .withForce(true).build());
  }
}
