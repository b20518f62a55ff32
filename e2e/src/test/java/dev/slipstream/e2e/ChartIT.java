package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.Main;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Helm chart installed by embedded Helm 3 (helm-java) into a real kube-apiserver with RBAC and
 * PodSecurity admission, in namespaces that enforce the "restricted" Pod Security Standard: the
 * operator's pod and the runtime pods the operator asks for are admitted, and the RBAC the chart
 * grants is enough and no more. An operator acting as the chart's ServiceAccount (impersonated),
 * configured with the environment the chart gives its Deployment, takes a tenant to Ready on a real
 * PostgreSQL, rolls a changed spec into the runtime's ConfigMap and deletes the tenant (dropping its
 * slot): first cluster-wide (a ClusterRole), then for a list of watched namespaces (Roles only),
 * where another namespace stays out of its reach.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.bare();

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final String RELEASE = "slipstream";
  private static final String OPERATOR = "slipstream-operator";
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** The operator's leader Lease (Main.LEADER_LEASE), which the chart's Role names. */
  private static final String LEADER_LEASE = "slipstream-operator-leader";

  @Test
  @Order(1)
  void clusterWideTheOperatorReconcilesEveryNamespaceAsTheChartsServiceAccount() throws Exception {
    String namespace = "slipstream-system";
    restrictedNamespace(namespace);
    install(namespace, UnaryOperator.identity());
    assertThat(kube.client().apiextensions().v1().customResourceDefinitions()
        .withName("realtimetenants.realtime.slipstream.dev").get()).isNotNull();
    ServiceAccount account = new ServiceAccount(namespace);

    assertThat(account.can("create", "deployments", "acme")).isTrue();
    assertThat(account.can("patch", "deployments", "acme")).as("server-side apply, and the runtime reconciler scales").isTrue();
    assertThat(account.can("update", "deployments", "acme")).as("server-side apply needs no update").isFalse();
    assertThat(account.can("delete", "deployments", "acme")).as("owned objects go with their tenant").isFalse();
    assertThat(account.can("update", "configmaps", "acme")).as("JOSDK updates ConfigMaps").isTrue();
    assertThat(account.can("patch", "realtimetenants/status", "acme")).isTrue();
    assertThat(account.can("update", "realtimetenants", "acme")).as("finalizers are patched").isFalse();
    assertThat(account.can("get", "secrets", "acme")).isTrue();
    assertThat(account.can("list", "secrets", "acme")).as("Secrets are read by name, never listed").isFalse();
    assertThat(account.can("create", "secrets", "acme")).as("the relay key's Secret, made once per tenant").isTrue();
    for (String verb : List.of("watch", "update", "patch", "delete", "deletecollection")) {
      assertThat(account.can(verb, "secrets", "acme")).as("Secrets: %s (a made one is never rewritten)", verb)
          .isFalse();
    }
    assertThat(account.can("watch", "pods", "acme")).as("the runtime reconciler watches the runtime pods").isTrue();
    assertThat(account.can("delete", "pods", "acme")).as("pods are read, never touched").isFalse();
    assertThat(account.can("patch", "pods", "acme")).isFalse();
    assertThat(account.can("delete", "namespaces", "")).isFalse();
    assertThat(account.can("list", "customresourcedefinitions", "")).as("nothing cluster-scoped").isFalse();

    runOperatorThroughATenantsLife(account, "acme", namespace);
  }

  @Test
  @Order(2)
  void forWatchedNamespacesRolesAreEnoughAndOtherNamespacesAreOutOfReach() throws Exception {
    Helm.uninstall(RELEASE).withNamespace("slipstream-system").withKubeConfig(kube.kubeconfig()).call();
    String namespace = "platform";
    restrictedNamespace(namespace);
    restrictedNamespace("team-a");
    restrictedNamespace("team-b");
    install(namespace, install -> install.set("operator.watchNamespaces[0]", "team-a"));
    ServiceAccount account = new ServiceAccount(namespace);

    assertThat(account.can("create", "deployments", "team-a")).isTrue();
    assertThat(account.can("patch", "realtimetenants/status", "team-a")).isTrue();
    assertThat(account.can("get", "secrets", "team-a")).isTrue();
    assertThat(account.can("create", "deployments", "team-b")).isFalse();
    assertThat(account.can("get", "secrets", "team-b")).isFalse();
    assertThat(account.can("create", "secrets", "team-a")).isTrue();
    assertThat(account.can("create", "secrets", "team-b")).isFalse();
    assertThat(account.can("list", "realtimetenants", "team-b")).isFalse();
    assertThat(account.can("get", "pods", "team-b")).isFalse();
    assertThat(account.canEverywhere("list", "realtimetenants")).as("no ClusterRole").isFalse();
    assertThat(account.canEverywhere("list", "secrets")).isFalse();
    assertThat(account.can("get", "leases/" + LEADER_LEASE, namespace)).as("its own leader Lease").isTrue();
    assertThat(account.can("get", "leases/another-lease", namespace)).isFalse();
    assertThat(account.can("create", "deployments", namespace)).as("the release namespace holds only the Lease").isFalse();

    // A tenant in an unwatched namespace: the operator neither sees it nor could touch what it names.
    kube.kubectlApply("team-b", tenantManifests("globex", "slipstream_globex"));
    runOperatorThroughATenantsLife(account, "team-a", namespace);
    RealtimeTenant unwatched = kube.client().resources(RealtimeTenant.class).inNamespace("team-b").withName("globex").get();
    assertThat(unwatched.getStatus()).isNull();
    assertThat(unwatched.getMetadata().getFinalizers()).isEmpty();
  }

  private static void install(String namespace, UnaryOperator<InstallCommand> values) {
    Release release = values.apply(Helm.install(RenderedChart.CHART.toString()).withName(RELEASE).withNamespace(namespace)
        .withKubeConfig(kube.kubeconfig())).call();
    assertThat(release.getStatus()).isEqualTo("deployed");
    Deployment deployment = kube.client().apps().deployments().inNamespace(namespace).withName(OPERATOR).get();
    RestrictedPods.assertAdmitted(kube.client(), namespace, new PodBuilder().withNewMetadata().withName("operator")
        .endMetadata().withSpec(deployment.getSpec().getTemplate().getSpec()).build());
  }

  /**
   * The operator as the chart's ServiceAccount, with the environment of the chart's Deployment (a
   * faster recheck besides), takes a tenant of {@code namespace} to Ready (its runtime pod admitted
   * under the restricted standard), rolls a changed limit into the runtime's ConfigMap, and deletes
   * the tenant, dropping its slot.
   */
  private static void runOperatorThroughATenantsLife(ServiceAccount account, String namespace, String releaseNamespace)
      throws Exception {
    restrictedNamespace(namespace);
    String slot = "slipstream_" + namespace.replace('-', '_');
    postgres.execute("CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, customer_id bigint, status text, total numeric)");
    kube.kubectlApply(namespace, tenantManifests("acme", slot));
    Map<String, String> env = new HashMap<>(ChartTemplateIT.env(
        kube.client().apps().deployments().inNamespace(releaseNamespace).withName(OPERATOR).get()));
    env.put("SLIPSTREAM_RECHECK_INTERVAL", "2");
    KubernetesClient asOperator = account.client();
    assertThatThrownBy(() -> asOperator.secrets().inNamespace(namespace).withName("acme-db").delete())
        .as("the impersonated client is held to the chart's RBAC")
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    Operator operator = Main.start(asOperator, OperatorConfig.fromEnv(env),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Main.leaderElection(releaseNamespace));
    try {
      await().atMost(WAIT).until(() -> kube.client().apps().deployments().inNamespace(namespace).list().getItems().size() == 1);
      Deployment runtime = kube.client().apps().deployments().inNamespace(namespace).list().getItems().getFirst();
      RestrictedPods.assertAdmitted(kube.client(), namespace, new PodBuilder().withNewMetadata().withName("runtime")
          .endMetadata().withSpec(runtime.getSpec().getTemplate().getSpec()).build());
      ReadyDeployment.markReady(kube.client(), runtime);
      await().atMost(WAIT).untilAsserted(() -> {
        RealtimeTenant tenant = tenant(namespace);
        assertThat(tenant.getStatus()).isNotNull();
        assertThat(tenant.getStatus().getPhase()).as(String.valueOf(tenant.getStatus().getConditions()))
            .isEqualTo(TenantPhase.READY);
        // The runtime's status loop: it watches the pods, aggregates status.runtime and scales the Deployment.
        assertThat(tenant.getStatus().getRuntime()).isNotNull();
        assertThat(tenant.getStatus().getRuntime().getReadyReplicas()).isEqualTo(1);
      });
      // It scales the Deployment as the ServiceAccount: a higher replicas.min is applied under its own field manager.
      kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runtime\":{\"replicas\":{\"min\":2,\"max\":3}}}}");
      await().atMost(WAIT).untilAsserted(() -> {
        Deployment scaled = kube.client().apps().deployments().inNamespace(namespace)
            .withName(runtime.getMetadata().getName()).get();
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(2);
        assertThat(scaled.getMetadata().getManagedFields()).anySatisfy(m -> assertThat(m.getManager())
            .isEqualTo(OperatorConfig.RUNTIME_FIELD_MANAGER));
      });
      assertThat(config(namespace).get("SLIPSTREAM_ACCESS_RULES")).isEqualTo("public.orders:customer_id=sub");
      assertThat(kube.client().secrets().inNamespace(namespace).withName("acme-runtime-relay").get())
          .as("the relay key's Secret, made as the ServiceAccount").isNotNull();
      assertThat(kube.client().leases().inNamespace(releaseNamespace).withName(LEADER_LEASE).get())
          .as("the leader Lease, held as the ServiceAccount").isNotNull();

      // A changed spec reaches the runtime's ConfigMap (JOSDK updates ConfigMaps, server-side applies the rest).
      // A merge patch without resourceVersion: the operator writes the tenant's status meanwhile.
      kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"limits\":{\"maxClients\":1234}}}");
      await().atMost(WAIT).until(() -> "1234".equals(config(namespace).get(RuntimeConfig.MAX_CLIENTS.name())));

      // Deleting the tenant drops its slot and lets it go (the finalizer is patched away).
      kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").delete();
      await().atMost(WAIT).until(() -> tenant(namespace) == null);
      assertThat(slotExists(slot)).isFalse();
    } finally {
      Main.stop(operator);
    }
  }

  /** The tenant {@code name} with its credentials Secret and a publication with a claim rule, named after its slot. */
  private static String tenantManifests(String name, String slot) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %1$s-db}
        stringData: {username: %2$s, password: %3$s}
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: %1$s}
        spec:
          database: {host: localhost, port: %4$d, name: %5$s, sslMode: disable, credentialsSecretRef: {name: %1$s-db}}
          replication: {slotName: %6$s}
          limits: {maxClients: 100}
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: %1$s-orders}
        spec:
          tenantRef: {name: %1$s}
          publicationName: %6$s_orders
          tables: [{name: orders}]
          access: [{table: public.orders, column: customer_id, claim: sub}]
        """.formatted(name, postgres.user(), postgres.password(), postgres.port(), postgres.database(), slot);
  }

  private static void restrictedNamespace(String name) {
    if (kube.client().namespaces().withName(name).get() == null) {
      kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
          .addToLabels(RestrictedPods.labels()).endMetadata().build()).create();
    }
  }

  private static RealtimeTenant tenant(String namespace) {
    return kube.client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get();
  }

  private static Map<String, String> config(String namespace) {
    return kube.client().configMaps().inNamespace(namespace).withName("acme-runtime").get().getData();
  }

  private static boolean slotExists(String slot) throws Exception {
    try (var connection = postgres.connect();
        var statement = connection.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, slot);
      return statement.executeQuery().next();
    }
  }

  /** The chart's ServiceAccount in {@code namespace}: {@code kubectl auth can-i} as it, and a client impersonating it. */
  private record ServiceAccount(String namespace) {

    String user() {
      return "system:serviceaccount:" + namespace + ":" + OPERATOR;
    }

    boolean can(String verb, String resource, String in) {
      CommandResult result = in.isEmpty()
          ? kube.kubectl("auth", "can-i", verb, resource, "--as=" + user())
          : kube.kubectl("auth", "can-i", verb, resource, "-n", in, "--as=" + user());
      return result.stdout().trim().equals("yes");
    }

    boolean canEverywhere(String verb, String resource) {
      return kube.kubectl("auth", "can-i", verb, resource, "--all-namespaces", "--as=" + user()).stdout().trim()
          .equals("yes");
    }

    KubernetesClient client() throws Exception {
      Config config = Config.fromKubeconfig(Files.readString(kube.kubeconfig()));
      config.setImpersonateUsername(user());
      config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
      return new KubernetesClientBuilder().withConfig(config).build();
    }
  }
}
