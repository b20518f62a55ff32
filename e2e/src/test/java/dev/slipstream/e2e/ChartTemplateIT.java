package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart rendered by embedded Helm 3 (helm-java) with its defaults and with every example values
 * file of {@code charts/slipstream/ci/} (together they set every value): it lints clean, the real API
 * server accepts every object it renders (server-side dry run, in namespaces that enforce the
 * "restricted" Pod Security Standard), each option renders what it promises, and values that break
 * {@code values.schema.json} fail naming the field.
 */
class ChartTemplateIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.bare();

  static final String NAMESPACE = "slipstream-system";
  private static final String OPERATOR = "slipstream-operator";
  private static final List<String> NAMESPACES = List.of(NAMESPACE, "team-a", "team-b", "monitoring");

  @BeforeAll
  static void restrictedNamespaces() {
    for (String name : NAMESPACES) {
      kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
          .addToLabels(RestrictedPods.labels()).endMetadata().build()).create();
    }
    // The priority class operator-values.yaml names, as the cluster it is written for has it.
    kube.client().scheduling().v1().priorityClasses().resource(new io.fabric8.kubernetes.api.model.scheduling.v1
        .PriorityClassBuilder().withNewMetadata().withName("platform-critical").endMetadata().withValue(1_000_000)
        .build()).create();
  }

  static Stream<String> valuesFiles() throws IOException {
    try (Stream<Path> files = Files.list(RenderedChart.CHART.resolve("ci"))) {
      return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith("-values.yaml")).sorted().toList().stream();
    }
  }

  @Test
  void lintsCleanWithItsDefaults() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  /** helm-java's lint takes no values file: the file is merged into a copy of the chart's values.yaml. */
  @ParameterizedTest
  @MethodSource("valuesFiles")
  void lintsCleanWithEveryExampleValuesFile(String valuesFile) throws IOException {
    Path copy = ChartCopy.withValues(RenderedChart.CHART, RenderedChart.CHART.resolve("ci").resolve(valuesFile));
    try {
      LintResult lint = new Helm(copy).lint().strict().call();
      assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    } finally {
      ChartCopy.delete(copy);
    }
  }

  @ParameterizedTest
  @MethodSource("valuesFiles")
  void theApiServerAcceptsEverythingItRenders(String valuesFile) throws IOException {
    dryRunApply(RenderedChart.render(NAMESPACE, List.of(valuesFile), UnaryOperator.identity()));
  }

  @Test
  void theApiServerAcceptsEverythingItRendersByDefault() throws IOException {
    RenderedChart chart = RenderedChart.render(NAMESPACE, List.of(), UnaryOperator.identity());
    assertThat(chart.objects()).extracting(GenericKubernetesResource::getKind).containsExactlyInAnyOrder(
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment");
    dryRunApply(chart);
  }

  @Test
  void byDefaultOneClusterRoleHoldsWhatTheOperatorDoes() {
    RenderedChart chart = RenderedChart.render(NAMESPACE, List.of(), UnaryOperator.identity());
    ClusterRole role = chart.get(ClusterRole.class, "ClusterRole", OPERATOR);
    assertThat(verbs(role.getRules(), "", "secrets")).as("read by name; create for the relay key Secret")
        .containsExactly("get", "create");
    assertThat(verbs(role.getRules(), "", "pods")).containsExactly("get", "list", "watch");
    assertThat(verbs(role.getRules(), "apps", "deployments")).containsExactly("get", "list", "watch", "create", "patch");
    assertThat(verbs(role.getRules(), "", "configmaps")).containsExactly("get", "list", "watch", "create", "update");
    assertThat(role.getRules()).allSatisfy(rule -> assertThat(rule.getVerbs()).doesNotContain("delete", "*", "escalate",
        "bind", "impersonate"));
    assertThat(chart.ofKind("Role")).isEmpty();
  }

  @Test
  void watchedNamespacesGetRolesAndNothingClusterWide() {
    RenderedChart chart = RenderedChart.render(NAMESPACE, List.of("namespaced-values.yaml"), UnaryOperator.identity());
    assertThat(chart.ofKind("ClusterRole")).isEmpty();
    assertThat(chart.ofKind("ClusterRoleBinding")).isEmpty();
    List<Role> roles = chart.all(Role.class, "Role");
    assertThat(roles).extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder("team-a/" + OPERATOR, "team-b/" + OPERATOR, NAMESPACE + "/" + OPERATOR + "-leader");
    List<PolicyRule> clusterWide = RenderedChart.render(NAMESPACE, List.of(), UnaryOperator.identity())
        .get(ClusterRole.class, "ClusterRole", OPERATOR).getRules();
    assertThat(roles).filteredOn(r -> r.getMetadata().getNamespace().startsWith("team-"))
        .allSatisfy(r -> assertThat(r.getRules()).isEqualTo(clusterWide));
    Role leader = roles.stream().filter(r -> r.getMetadata().getName().endsWith("-leader")).findFirst().orElseThrow();
    assertThat(leader.getRules()).allSatisfy(rule -> assertThat(rule.getResources()).containsExactly("leases"));
    assertThat(chart.all(RoleBinding.class, "RoleBinding")).hasSize(3).allSatisfy(binding -> {
      assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
        assertThat(s.getName()).isEqualTo(OPERATOR);
        assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
      });
      assertThat(binding.getRoleRef().getName()).isEqualTo(binding.getMetadata().getName());
    });
    Deployment operator = chart.get(Deployment.class, "Deployment", OPERATOR);
    assertThat(env(operator)).containsEntry("SLIPSTREAM_WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void valuesReachTheOperatorsEnvironment() {
    RenderedChart chart = RenderedChart.render(NAMESPACE, List.of("operator-values.yaml"), UnaryOperator.identity());
    Deployment deployment = chart.get(Deployment.class, "Deployment", OPERATOR);
    Map<String, String> env = env(deployment);
    assertThat(env).containsEntry("SLIPSTREAM_WATCH_NAMESPACES", "")
        .containsEntry("SLIPSTREAM_LOG_FORMAT", "json")
        .containsEntry("SLIPSTREAM_LOG_LEVEL", "DEBUG")
        .containsEntry("SLIPSTREAM_RECONCILE_THREADS", "20")
        .containsEntry("SLIPSTREAM_RECHECK_INTERVAL", "PT1M30S")
        .containsEntry("SLIPSTREAM_RUNTIME_REPORT_TIMEOUT", "PT20S")
        .containsEntry("SLIPSTREAM_RUNTIME_IMAGE", "registry.example/slipstream-runtime:1.2.3");
    // The operator itself accepts what the chart renders.
    OperatorConfig config = OperatorConfig.fromEnv(env);
    assertThat(config.recheckInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.runtimeReportTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.reconcileThreads()).isEqualTo(20);
    assertThat(config.defaultRuntimeImage()).isEqualTo("registry.example/slipstream-runtime:1.2.3");
    assertThat(config.watchesAllNamespaces()).isTrue();

    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().getFirst().getImage()).isEqualTo("registry.example/slipstream-operator:1.2.3");
    assertThat(pod.getServiceAccountName()).isEqualTo("slipstream");
    assertThat(pod.getPriorityClassName()).isEqualTo("platform-critical");
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "platform")
        .containsEntry("app.kubernetes.io/name", OPERATOR);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(chart.ofKind("Service")).as("metrics.service.enabled: false").isEmpty();
  }

  @Test
  void monitorsScrapeTheOperatorAndTheRuntimePodsWhereTheyServeMetrics() throws IOException {
    RenderedChart chart = RenderedChart.render(NAMESPACE, List.of("monitoring-values.yaml"), UnaryOperator.identity());
    GenericKubernetesResource serviceMonitor = chart.ofKind("ServiceMonitor").getFirst();
    assertThat(serviceMonitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(RenderedChart.<String>spec(serviceMonitor, "endpoints", 0, "port")).isEqualTo("management");
    assertThat(RenderedChart.<Boolean>spec(serviceMonitor, "endpoints", 0, "honorLabels")).isTrue();
    assertThat(RenderedChart.<Map<String, String>>spec(serviceMonitor, "selector", "matchLabels"))
        .isEqualTo(chart.get(io.fabric8.kubernetes.api.model.Service.class, "Service", OPERATOR + "-metrics").getSpec()
            .getSelector());

    // The PodMonitor selects the labels and the port the operator gives every runtime pod.
    GenericKubernetesResource podMonitor = chart.ofKind("PodMonitor").getFirst();
    assertThat(RenderedChart.<Map<String, String>>spec(podMonitor, "selector", "matchLabels")).isEqualTo(Map.of(
        RuntimeLabels.NAME, RuntimeLabels.RUNTIME_APP, RuntimeLabels.MANAGED_BY, RuntimeLabels.OPERATOR));
    assertThat(RuntimeLabels.everyRuntime()).isEqualTo(RuntimeLabels.NAME + "=" + RuntimeLabels.RUNTIME_APP + ","
        + RuntimeLabels.MANAGED_BY + "=" + RuntimeLabels.OPERATOR);
    assertThat(RenderedChart.<String>spec(podMonitor, "podMetricsEndpoints", 0, "port")).isEqualTo(RuntimeModel.HTTP_PORT_NAME);
    assertThat(RenderedChart.<String>spec(podMonitor, "podMetricsEndpoints", 0, "path")).isEqualTo("/metrics");
    assertThat(RenderedChart.<List<String>>spec(podMonitor, "podMetricsEndpoints", 0, "relabelings", 0, "sourceLabels"))
        .containsExactly("__meta_kubernetes_pod_label_" + RuntimeLabels.INSTANCE.replaceAll("[^a-zA-Z0-9_]", "_"));
    assertThat(RenderedChart.<List<String>>spec(podMonitor, "namespaceSelector", "matchNames")).containsExactly("team-a");

    ConfigMap dashboard = chart.get(ConfigMap.class, "ConfigMap", OPERATOR + "-dashboard");
    assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Slipstream");
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(dashboard.getData().get("slipstream.json")))
        .isEqualTo(json.readTree(RenderedChart.CHART.resolve("dashboards/slipstream.json").toFile()));

    // Without the files' namespaces, the PodMonitor follows the watched namespaces, or all.
    GenericKubernetesResource everywhere = RenderedChart.render(NAMESPACE, List.of(),
        t -> t.set("metrics.podMonitor.enabled", true)).ofKind("PodMonitor").getFirst();
    assertThat(RenderedChart.<Boolean>spec(everywhere, "namespaceSelector", "any")).isTrue();
  }

  @Test
  void theNetworkPolicyLetsClientsInTheRelayOnlyWithinATenantAndTheDatabaseAndApiServerOut() {
    RenderedChart chart = RenderedChart.render(NAMESPACE, List.of("network-policy-values.yaml"), UnaryOperator.identity());
    Map<String, String> runtimePods = Map.of(RuntimeLabels.NAME, RuntimeLabels.RUNTIME_APP,
        RuntimeLabels.MANAGED_BY, RuntimeLabels.OPERATOR);
    List<NetworkPolicy> policies = chart.all(NetworkPolicy.class, "NetworkPolicy");
    assertThat(policies).extracting(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
        .containsExactlyInAnyOrder("team-a/" + OPERATOR + "-runtime", "team-b/" + OPERATOR + "-runtime",
            "team-a/acme-runtime-relay", "team-a/globex-runtime-relay");

    NetworkPolicy shared = policy(policies, "team-a", OPERATOR + "-runtime");
    assertThat(shared.getSpec().getPodSelector().getMatchLabels()).isEqualTo(runtimePods);
    assertThat(shared.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(shared.getSpec().getIngress()).as("team-a lists its tenants: no namespace-wide relay")
        .singleElement().satisfies(clients -> {
          assertThat(clients.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal())
              .isEqualTo(RuntimeModel.HTTP_PORT));
          assertThat(clients.getFrom()).hasSize(2);
        });
    assertThat(shared.getSpec().getEgress()).anySatisfy(rule -> {
      assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(5433));
      assertThat(rule.getTo()).extracting(peer -> peer.getIpBlock().getCidr())
          .containsExactly("10.20.0.0/16", "192.168.7.12/32");
    }).anySatisfy(rule -> {
      assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(6443));
      assertThat(rule.getTo()).extracting(peer -> peer.getIpBlock().getCidr()).containsExactly("172.18.0.2/32");
    }).anySatisfy(rule -> assertThat(rule.getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .containsExactlyInAnyOrder("UDP/53", "TCP/53"));

    NetworkPolicy acme = policy(policies, "team-a", "acme-runtime-relay");
    Map<String, String> acmePods = new java.util.HashMap<>(runtimePods);
    acmePods.put(RuntimeLabels.INSTANCE, "acme");
    assertThat(acme.getSpec().getPodSelector().getMatchLabels()).isEqualTo(acmePods);
    assertThat(acme.getSpec().getIngress()).singleElement().satisfies(relay -> {
      assertThat(relay.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal())
          .isEqualTo(RuntimeModel.RELAY_PORT));
      assertThat(relay.getFrom()).singleElement().satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels())
          .isEqualTo(acmePods));
    });

    NetworkPolicy own = policy(policies, "team-b", OPERATOR + "-runtime");
    assertThat(own.getSpec().getIngress()).extracting(NetworkPolicyIngressRule::getPorts)
        .extracting(ports -> ports.getFirst().getPort().getIntVal())
        .containsExactly(RuntimeModel.HTTP_PORT, RuntimeModel.RELAY_PORT);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Map.of("operator.logFormat", "yaml"), "operator.logFormat"),
        Arguments.of(Map.of("operator.logLevel", "verbose"), "operator.logLevel"),
        Arguments.of(Map.of("operator.recheckInterval", "30"), "operator.recheckInterval"),
        Arguments.of(Map.of("operator.runtimeReportTimeout", "15 seconds"), "operator.runtimeReportTimeout"),
        Arguments.of(Map.of("operator.reconcileThreads", "0"), "operator.reconcileThreads"),
        Arguments.of(Map.of("operator.watchNamespaces[0]", "Team_A"), "operator.watchNamespaces.0"),
        Arguments.of(Map.of("operator.watchNamespace[0]", "team-a"), "watchNamespace"),
        Arguments.of(Map.of("operatr.replicas", "2"), "operatr"),
        Arguments.of(Map.of("operator.image.pullPolicy", "Sometimes"), "operator.image.pullPolicy"),
        Arguments.of(Map.of("metrics.serviceMonitor.interval", "30 s"), "metrics.serviceMonitor.interval"),
        Arguments.of(Map.of("networkPolicy.enabled", "true", "networkPolicy.namespaces[0]", "team-a",
            "networkPolicy.apiServer.cidrs[0]", "10.0.0.1/32"), "networkPolicy.database.cidrs"),
        Arguments.of(Map.of("networkPolicy.enabled", "true", "networkPolicy.namespaces[0]", "team-a",
            "networkPolicy.apiServer.cidrs[0]", "10.0.0.1", "networkPolicy.database.cidrs[0]", "10.0.0.0/8"),
            "networkPolicy.apiServer.cidrs.0"),
        // Rules across values, checked by the templates themselves.
        Arguments.of(Map.of("networkPolicy.enabled", "true", "networkPolicy.apiServer.cidrs[0]", "10.0.0.1/32",
            "networkPolicy.database.cidrs[0]", "10.0.0.0/8"), "set networkPolicy.namespaces or operator.watchNamespaces"),
        Arguments.of(Map.of("metrics.serviceMonitor.enabled", "true", "metrics.service.enabled", "false"),
            "metrics.serviceMonitor.enabled needs metrics.service.enabled"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void valuesThatBreakTheSchemaAreRejectedNamingTheField(Map<String, String> values, String named) {
    TemplateCommand template = new Helm(RenderedChart.CHART).template().withName(RenderedChart.RELEASE)
        .withNamespace(NAMESPACE);
    for (var value : values.entrySet()) {
      template = template.set(value.getKey(), value.getValue());
    }
    TemplateCommand command = template;
    assertThatThrownBy(command::call).hasMessageContaining(named);
  }

  @Test
  void aValuesFileThatBreaksTheSchemaFailsTemplateAndInstallNamingEachField() throws IOException {
    Path values = Files.createTempFile("slipstream-bad-values", ".yaml");
    try {
      Files.writeString(values, """
          operator:
            logformat: json          # misspelt
            recheckInterval: 30      # a number, not a duration
          networkPolicy:
            enabled: true
            namespaces: [team-a]
            apiServer: {cidrs: [172.18.0.2/32]}
          """);
      assertThatThrownBy(() -> new Helm(RenderedChart.CHART).template().withName(RenderedChart.RELEASE)
          .withNamespace(NAMESPACE).withValuesFile(values).call())
          .hasMessageContaining("operator: Additional property logformat is not allowed")
          .hasMessageContaining("operator.recheckInterval: Invalid type. Expected: string, given: integer")
          .hasMessageContaining("networkPolicy.database.cidrs: Array must have at least 1 items");
      assertThatThrownBy(() -> Helm.install(RenderedChart.CHART.toString()).withName("rejected").withNamespace(NAMESPACE)
          .withValuesFile(values).withKubeConfig(kube.kubeconfig()).call())
          .hasMessageContaining("operator: Additional property logformat is not allowed");
      assertThat(kube.client().apps().deployments().inNamespace(NAMESPACE).withName("rejected-operator").get())
          .as("nothing installed").isNull();
    } finally {
      Files.deleteIfExists(values);
    }
  }

  /** Every object but the Prometheus operator's (whose CRDs this API server lacks), as {@code kubectl apply --dry-run=server}. */
  private static void dryRunApply(RenderedChart chart) throws IOException {
    Path file = Files.createTempFile("slipstream-chart", ".yaml");
    try {
      String manifests = chart.objects().stream().filter(o -> !o.getApiVersion().startsWith("monitoring.coreos.com/"))
          .map(o -> kube.client().getKubernetesSerialization().asYaml(o)).collect(Collectors.joining("\n---\n"));
      Files.writeString(file, manifests);
      CommandResult apply = kube.kubectl("apply", "--dry-run=server", "-f", file.toString());
      assertThat(apply.succeeded()).as(apply.toString()).isTrue();
      assertThat(apply.stderr()).as("no PodSecurity warning").doesNotContain("PodSecurity");
    } finally {
      Files.deleteIfExists(file);
    }
    // The "restricted" standard is enforced on pods, not on Deployments: a pod from the template must be admitted.
    for (Deployment deployment : chart.all(Deployment.class, "Deployment")) {
      RestrictedPods.assertAdmitted(kube.client(), deployment.getMetadata().getNamespace(),
          new PodBuilder().withNewMetadata().withName("from-" + deployment.getMetadata().getName()).endMetadata()
              .withSpec(deployment.getSpec().getTemplate().getSpec()).build());
    }
  }

  private static NetworkPolicy policy(List<NetworkPolicy> policies, String namespace, String name) {
    return policies.stream().filter(p -> p.getMetadata().getNamespace().equals(namespace)
        && p.getMetadata().getName().equals(name)).findFirst().orElseThrow();
  }

  private static List<String> verbs(List<PolicyRule> rules, String group, String resource) {
    return rules.stream().filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .flatMap(r -> r.getVerbs().stream()).toList();
  }

  static Map<String, String> env(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }
}
