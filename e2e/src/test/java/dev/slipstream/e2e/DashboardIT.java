package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.operator.Main;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every series the chart's Grafana dashboard queries is one the code exports, with the labels the
 * query uses: taken from real {@code /metrics} scrapes, not from a list. The operator reconciles a
 * healthy tenant and one whose database is unreachable (so that failed reconciles are counted), and
 * a runtime starts from the very ConfigMap and Secret the operator wrote for the healthy tenant (alone,
 * not as a pod of a tenant), on a real PostgreSQL. Labels a query uses that are not on the scraped
 * series must be ones the chart's ServiceMonitor and PodMonitor give the targets.
 */
class DashboardIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration WAIT = Duration.ofSeconds(90);
  /** What Prometheus puts on every target of a PodMonitor or ServiceMonitor (prometheus-operator's relabelling). */
  private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "container", "job", "instance", "endpoint",
      "service");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? ");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  private static Operator operator;
  private static RealtimeRuntime runtime;
  private static final PrometheusMeterRegistry operatorRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @BeforeAll
  static void operatorAndRuntimeRun() throws Exception {
    postgres.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text, total numeric)");
    kube.kubectl("create", "namespace", "acme");
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
        metadata: {name: acme-orders}
        spec:
          tenantRef: {name: acme}
          tables: [{name: orders}]
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: unreachable}
        spec:
          database: {host: 127.0.0.1, port: 1, name: app, sslMode: disable, credentialsSecretRef: {name: acme-db}}
        """.formatted(postgres.user(), postgres.password(), postgres.port(), postgres.database()));
    operator = Main.start(kube.client(), OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RECHECK_INTERVAL", "2")),
        operatorRegistry, null);
    await().atMost(WAIT).until(() -> kube.client().apps().deployments().inNamespace("acme").withName("acme-runtime").get() != null
        && operatorRegistry.scrape().contains("slipstream_tenant_slot_lag_bytes{")
        && operatorRegistry.scrape().contains("operator_sdk_reconciliations_failed_total{"));

    // The runtime as the operator configured it (its ConfigMap, the Secret's values), alone and on a free port.
    runtime = LocalRuntime.start(kube.client(), kube.client().apps().deployments().inNamespace("acme")
        .withName("acme-runtime").get());
    await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (operator != null) {
      Main.stop(operator);
    }
  }

  @Test
  void everySeriesTheDashboardQueriesIsExportedWithItsLabels() throws Exception {
    Map<String, Set<String>> runtimeSeries = series(get("/metrics").body());
    Map<String, Set<String>> operatorSeries = series(operatorRegistry.scrape());
    Set<String> runtimeTargetLabels = new HashSet<>(TARGET_LABELS);
    runtimeTargetLabels.addAll(podMonitorTargetLabels());

    List<String> checked = new ArrayList<>();
    for (String expression : expressions()) {
      PromQuery query = PromQuery.parse(expression);
      assertThat(query.metrics()).as("metrics of %s", expression).isNotEmpty();
      query.metrics().forEach((metric, labels) -> {
        boolean fromRuntime = runtimeSeries.containsKey(metric);
        assertThat(fromRuntime || operatorSeries.containsKey(metric))
            .as("%s (in %s) is exported by the runtime or the operator; the runtime exports %s, the operator %s",
                metric, expression, runtimeSeries.keySet(), operatorSeries.keySet())
            .isTrue();
        Set<String> available = new HashSet<>(fromRuntime ? runtimeSeries.get(metric) : operatorSeries.get(metric));
        available.addAll(fromRuntime ? runtimeTargetLabels : TARGET_LABELS);
        Set<String> used = new HashSet<>(labels);
        used.addAll(query.grouping());
        assertThat(available).as("labels of %s that %s uses", metric, expression).containsAll(used);
        checked.add(metric);
      });
    }
    assertThat(checked).as("the dashboard's six subjects").contains("slipstream_tenant_slot_lag_bytes",
        "slipstream_clients", "slipstream_events_in_total", "slipstream_events_out_total",
        "slipstream_slow_clients_closed_total", "operator_sdk_reconciliations_failed_total");
  }

  @Test
  void legendsNameOnlyLabelsTheirQueryKeeps() throws Exception {
    for (JsonNode panel : dashboard().get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        PromQuery query = PromQuery.parse(target.get("expr").asText());
        Matcher legend = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}").matcher(target.path("legendFormat").asText());
        while (legend.find()) {
          assertThat(query.grouping()).as("panel %s: %s", panel.get("title").asText(), target.get("expr").asText())
              .contains(legend.group(1));
        }
      }
    }
  }

  /** The label the PodMonitor gives the tenant's name (its relabelings' target labels). */
  private static Set<String> podMonitorTargetLabels() {
    GenericKubernetesResource podMonitor = RenderedChart.render("slipstream-system", List.of("monitoring-values.yaml"),
        UnaryOperator.identity()).ofKind("PodMonitor").getFirst();
    List<Map<String, Object>> relabelings = RenderedChart.spec(podMonitor, "podMetricsEndpoints", 0, "relabelings");
    Set<String> labels = new HashSet<>();
    relabelings.forEach(r -> labels.add((String) r.get("targetLabel")));
    return labels;
  }

  private static JsonNode dashboard() throws Exception {
    return new ObjectMapper().readTree(RenderedChart.CHART.resolve("dashboards/slipstream.json").toFile());
  }

  /** Every PromQL expression of the dashboard: the panels' targets and the template variables' queries. */
  private static List<String> expressions() throws Exception {
    JsonNode dashboard = dashboard();
    List<String> expressions = new ArrayList<>();
    dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));
    dashboard.path("templating").path("list").forEach(variable -> {
      if ("query".equals(variable.path("type").asText())) {
        expressions.add(variable.path("query").path("query").asText());
      }
    });
    assertThat(expressions).hasSizeGreaterThan(6);
    return expressions;
  }

  /** Prometheus text format: each series name with the labels its samples carry. */
  private static Map<String, Set<String>> series(String scrape) {
    Map<String, Set<String>> series = new HashMap<>();
    scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).forEach(line -> {
      Matcher sample = SAMPLE.matcher(line);
      if (sample.find()) {
        Set<String> labels = series.computeIfAbsent(sample.group(1), name -> new HashSet<>());
        if (sample.group(2) != null) {
          Matcher label = LABEL.matcher(sample.group(2));
          while (label.find()) {
            labels.add(label.group(1));
          }
        }
      }
    });
    return series;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
