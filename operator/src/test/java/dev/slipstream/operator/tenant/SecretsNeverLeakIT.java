package dev.slipstream.operator.tenant;

import static dev.slipstream.operator.tenant.ClusterAsserts.awaitTenantCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A tenant whose Secrets hold recognisable values (a database password, a JWT secret, and a wrong
 * password for a second tenant, so the failure path runs too), reconciled to Ready against a real
 * PostgreSQL and API server. Then the operator's log output, every Event, the status (and all of
 * every object the operator wrote, Secrets aside) and its /metrics text are searched for the values,
 * and for the relay key the operator made for the tenant, plain and base64: none may appear.
 */
class SecretsNeverLeakIT {

  private static final String ROLE = "leak_app";
  private static final String PASSWORD = "Leak-Canary-Pw-4f9c2e7a";
  private static final String WRONG_PASSWORD = "Leak-Canary-Wrong-8d1b5f3c";
  private static final String JWT_SECRET = "Leak-Canary-Jwt-3a6e9d0b-0123456789abcdef";

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final TestPostgres postgres = TestCluster.postgres();
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @BeforeAll
  static void captureLogs() {
    LOGS.start();
    root().addAppender(LOGS);
  }

  @AfterAll
  static void stopCapturing() {
    root().detachAppender(LOGS);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void noSecretValueInLogsEventsStatusOrMetrics() {
    postgres.requirePassword(ROLE, PASSWORD);
    postgres.execute("GRANT CREATE ON DATABASE " + postgres.database() + " TO " + ROLE,
        "CREATE TABLE IF NOT EXISTS public.leak_orders (id bigint PRIMARY KEY, note text)",
        "ALTER TABLE public.leak_orders OWNER TO " + ROLE);
    KubernetesClient client = operator.getKubernetesClient();
    secret("leak-db", "{username: " + ROLE + ", password: " + PASSWORD + "}");
    secret("leak-jwt", "{secret: " + JWT_SECRET + "}");
    secret("leakwrong-db", "{username: " + ROLE + ", password: " + WRONG_PASSWORD + "}");
    operator.create(TestCluster.load(client, RealtimeTenant.class, TestCluster.tenantYaml("leak", "leak-db", "Delete")
        + "  auth: {jwtSecretRef: {name: leak-jwt, key: secret}}\n"));
    operator.create(TestCluster.load(client, RealtimeTenant.class,
        TestCluster.tenantYaml("leakwrong", "leakwrong-db", "Delete")));
    operator.create(TestCluster.load(client, RealtimePublication.class, """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: leak-orders}
        spec:
          tenantRef: {name: leak}
          tables: [{schema: public, name: leak_orders}]
        """));

    awaitTenantCondition(operator, "leak", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");
    ClusterAsserts.reportRuntimeReady(operator, "leak");
    awaitTenantCondition(operator, "leak", ConditionTypes.READY, Condition.TRUE, "Available");
    awaitTenantCondition(operator, "leakwrong", ConditionTypes.DATABASE_READY, Condition.FALSE, "AuthenticationFailed");
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> assertThat(Conditions.find(
        operator.get(RealtimePublication.class, "leak-orders").getStatus().getConditions(), ConditionTypes.READY))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.TRUE)));
    ClusterAsserts.awaitEvent(operator, "RealtimeTenant", "leakwrong", "Warning", "AuthenticationFailed");

    // The relay key the operator made for the tenant (never in a log, an Event, a status or a metric either).
    Secret relay = client.secrets().inNamespace(operator.getNamespace()).withName("leak-runtime-relay").get();
    assertThat(relay).as("the relay key's Secret").isNotNull();
    String relayKey = new String(Base64.getDecoder().decode(relay.getData().get("relay-key")), StandardCharsets.UTF_8);

    String logs = capturedLogs();
    String events = Serialization.asYaml(client.v1().events().inNamespace(operator.getNamespace()).list());
    String statusAndObjects = Serialization.asYaml(client.resources(RealtimeTenant.class).inNamespace(operator.getNamespace()).list())
        + Serialization.asYaml(client.resources(RealtimePublication.class).inNamespace(operator.getNamespace()).list())
        + Serialization.asYaml(client.apps().deployments().inNamespace(operator.getNamespace()).list())
        + Serialization.asYaml(client.configMaps().inNamespace(operator.getNamespace()).list())
        + Serialization.asYaml(client.services().inNamespace(operator.getNamespace()).list());
    String metrics = TestCluster.METRICS.scrape();

    // The places searched hold what this run did, so finding nothing means something.
    assertThat(logs).contains("leak_orders").contains("leakwrong");
    assertThat(events).contains("AuthenticationFailed");
    assertThat(statusAndObjects).contains("AuthenticationFailed").contains("secretKeyRef").contains("leak-jwt");
    assertThat(metrics).contains("slipstream");
    for (String secret : List.of(PASSWORD, WRONG_PASSWORD, JWT_SECRET, relayKey)) {
      String base64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
      assertThat(logs).as("operator logs").doesNotContain(secret).doesNotContain(base64);
      assertThat(events).as("Events").doesNotContain(secret).doesNotContain(base64);
      assertThat(statusAndObjects).as("status and the operator's objects").doesNotContain(secret).doesNotContain(base64);
      assertThat(metrics).as("/metrics").doesNotContain(secret).doesNotContain(base64);
    }
  }

  private void secret(String name, String stringData) {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class, """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s}
        stringData: %s
        """.formatted(name, stringData)));
  }

  /** Every line logged so far, with stack traces, as the console would show them. */
  private static String capturedLogs() {
    List<ILoggingEvent> events;
    synchronized (LOGS) {
      events = new ArrayList<>(LOGS.list);
    }
    StringBuilder text = new StringBuilder();
    for (ILoggingEvent event : events) {
      text.append(event.getLoggerName()).append(' ').append(event.getFormattedMessage()).append('\n');
      if (event.getThrowableProxy() != null) {
        text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
      }
    }
    return text.toString();
  }
}
