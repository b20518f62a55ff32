package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.Main;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * examples/README.md's walkthrough, step by step, on a real API server and PostgreSQL: schema.sql
 * prepares database {@code app}, {@code kubectl apply -f examples/} (the tenant pointed at this
 * server, nothing else changed) gets the tenant and both publications Ready, token.sh signs a JWT
 * with the Secret's value, and SSE clients as curl would be see what the publications promise:
 * the orders of their customer only, and new messages without the e-mail column and never those of
 * room staff. Deleting the publications and then the tenant drops them and the slot in the database. The runtime runs in this JVM
 * from the Deployment the operator wrote (no kubelet here; ChartIT and the end-to-end suite cover pods).
 */
class ExamplesWalkthroughIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Operator operator;
  private static RealtimeRuntime runtime;
  private static Path examples;

  @AfterAll
  static void stop() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    if (operator != null) {
      Main.stop(operator);
    }
    Examples.deleteTree(examples);
  }

  @Test
  void theWalkthroughWorksAsWritten() throws Exception {
    // Prepare the database: psql -d app -f examples/schema.sql
    Examples.prepareDatabase(postgres);

    // Point the tenant at the database, then: kubectl apply -f examples/
    examples = Examples.copyWithDatabase("localhost", postgres.port());
    CommandResult apply = kube.kubectl("apply", "-f", examples.toString());
    assertThat(apply.succeeded()).as(apply.toString()).isTrue();

    operator = Main.start(kube.client(), OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RECHECK_INTERVAL", "2")),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null);
    await().atMost(WAIT).until(() -> runtimeDeployment() != null);
    ReadyDeployment.markReady(kube.client(), runtimeDeployment());
    // kubectl get slipstream -n acme: the tenant Ready, both publications Ready.
    await().atMost(WAIT).untilAsserted(() -> {
      RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get();
      assertThat(tenant.getStatus()).isNotNull();
      assertThat(tenant.getStatus().getPhase()).as(String.valueOf(tenant.getStatus().getConditions()))
          .isEqualTo(TenantPhase.READY);
      for (String name : List.of("acme-orders", "acme-messages")) {
        RealtimePublication publication = kube.client().resources(RealtimePublication.class).inNamespace("acme")
            .withName(name).get();
        assertThat(publication.getStatus()).as(name).isNotNull();
        assertThat(Conditions.isTrue(publication.getStatus().getConditions(), ConditionTypes.READY))
            .as(name + ": " + publication.getStatus().getConditions()).isTrue();
      }
    });
    CommandResult get = kube.kubectl("get", "slipstream", "-n", "acme");
    assertThat(get.stdout()).contains("realtimetenant.realtime.slipstream.dev/acme",
        "realtimepublication.realtime.slipstream.dev/acme-orders", "realtimepublication.realtime.slipstream.dev/acme-messages");

    // The tenant's runtime (in a cluster: kubectl -n acme port-forward svc/acme-runtime 4000).
    runtime = LocalRuntime.start(kube.client(), runtimeDeployment());
    String endpoint = "http://127.0.0.1:" + runtime.port();
    await().atMost(WAIT).until(() -> ready(endpoint));

    // JWT_SECRET=$(kubectl -n acme get secret acme-jwt -o jsonpath='{.data.secret}' | base64 -d) examples/token.sh 42
    CommandResult secret = kube.kubectl("-n", "acme", "get", "secret", "acme-jwt", "-o", "jsonpath={.data.secret}");
    String token = Examples.token(new String(Base64.getDecoder().decode(secret.stdout().trim()), StandardCharsets.UTF_8), "42");

    // curl -N "http://localhost:4000/realtime/v1/sse?table=orders&apikey=$TOKEN", then orders of two customers.
    try (SseTestClient orders = SseTestClient.open(URI.create(endpoint + "/realtime/v1/sse?table=orders&apikey=" + token), null);
        SseTestClient messages = SseTestClient.open(URI.create(endpoint + "/realtime/v1/sse?table=messages&apikey=" + token),
            null)) {
      await().atMost(WAIT).until(() -> orders.status == 200 && messages.status == 200);
      Examples.sql(postgres, "INSERT INTO orders (id, customer_id, total) VALUES (1, 7, 10.00), (2, 42, 25.50)",
          "UPDATE orders SET status = 'paid' WHERE id = 2",
          "INSERT INTO messages (room, author, author_email, body) VALUES"
              + " ('staff', 'ops', 'ops@acme.example', 'not for customers'),"
              + " ('lobby', 'ana', 'ana@acme.example', 'hello')");
      await().atMost(WAIT).until(() -> orders.changes().size() >= 2 && !messages.changes().isEmpty());
      // A marker after everything above: once it arrives, nothing else is on its way.
      Examples.sql(postgres, "INSERT INTO orders (id, customer_id, total) VALUES (3, 42, 1.00)");
      await().atMost(WAIT).until(() -> orders.changes().size() >= 3);

      List<JsonNode> orderChanges = parse(orders);
      assertThat(orderChanges).extracting(c -> c.get("eventType").asText() + " " + c.get("new").get("id").asInt())
          .containsExactly("INSERT 2", "UPDATE 2", "INSERT 3");
      assertThat(orderChanges.get(1).get("old").get("status").asText())
          .as("replicaIdentityFull: the old row").isEqualTo("new");
      List<JsonNode> messageChanges = parse(messages);
      assertThat(messageChanges).singleElement().satisfies(change -> {
        assertThat(change.get("new").get("room").asText()).isEqualTo("lobby");
        assertThat(change.get("new").has("author_email")).as("not in the column list").isFalse();
      });
    }

    // Clean up, publications first (they need their tenant to reach the database), then the tenant
    // (its Secret still there to drop the slot with), then the namespace.
    for (String kind : List.of("rtpub", "rtt")) {
      CommandResult delete = kube.kubectl("-n", "acme", "delete", kind, "--all", "--timeout=90s");
      assertThat(delete.succeeded()).as(delete.toString()).isTrue();
    }
    assertThat(Examples.count(postgres,
        "SELECT count(*) FROM pg_publication WHERE pubname IN ('acme_orders', 'acme_messages')")).isZero();
    assertThat(Examples.count(postgres,
        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slipstream_acme'")).isZero();
    assertThat(kube.kubectl("delete", "namespace", "acme", "--wait=false").succeeded()).isTrue();
  }

  private static List<JsonNode> parse(SseTestClient client) {
    return client.changes().stream().map(e -> {
      try {
        return JSON.readTree(e.data());
      } catch (Exception ex) {
        throw new AssertionError("not JSON: " + e.data(), ex);
      }
    }).toList();
  }

  private static Deployment runtimeDeployment() {
    return kube.client().apps().deployments().inNamespace("acme").withName("acme-runtime").get();
  }

  /** {@code /readyz} answers 200 once the runtime streams from the slot. */
  private static boolean ready(String endpoint) {
    try (var client = java.net.http.HttpClient.newHttpClient()) {
      return client.send(java.net.http.HttpRequest.newBuilder(URI.create(endpoint + "/readyz")).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
