package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.Main;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole path for one tenant: the operator (as {@code Main} starts it) reconciles a tenant and
 * its publication on a real API server and a real PostgreSQL; a stand-in kubelet ({@link NodeAgent})
 * runs the runtime from the Deployment's pod template with the environment Kubernetes would give
 * it (ConfigMap, Secrets, downward API); the tenant becomes Ready once the runtime answers its
 * readiness probe; an SSE client with a JWT signed by the tenant's secret receives a committed
 * row, and only the rows its claim allows. Proves the contract between operator and runtime: the
 * names and values of the runtime's configuration.
 */
class TenantEndToEndIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String JWT_SECRET = "an-e2e-secret-of-at-least-thirty-two-bytes";

  @Test
  void aCommittedRowReachesAClientOfTheRuntimeTheOperatorDeployed() throws Exception {
    postgres.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, item text)");
    kube.kubectl("create", "namespace", "acme");
    kube.kubectlApply("acme", """
        apiVersion: v1
        kind: Secret
        metadata: {name: acme-db}
        stringData: {username: %s, password: %s}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: acme-jwt}
        stringData: {secret: %s}
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: acme}
        spec:
          database: {host: localhost, port: %d, name: %s, sslMode: disable, credentialsSecretRef: {name: acme-db}}
          auth: {jwtSecretRef: {name: acme-jwt, key: secret}}
        ---
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: orders}
        spec:
          tenantRef: {name: acme}
          tables: [{name: orders}]
          replicaIdentityFull: true
          access: [{table: public.orders, column: customer_id, claim: sub}]
        """.formatted(postgres.user(), postgres.password(), JWT_SECRET, postgres.port(), postgres.database()));

    Operator operator = Main.start(new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kube.kubeconfig()))).build(),
        OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RECHECK_INTERVAL", "2")),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null);
    Path log = Path.of("target", "e2e", "runtime.log");
    Files.createDirectories(log.getParent());
    int port = freePort();
    try {
      await().atMost(WAIT).until(() -> !kube.client().apps().deployments().inNamespace("acme").list().getItems()
          .isEmpty() && tenantReason("PublicationsReady").equals("Available"));
      Deployment deployment = kube.client().apps().deployments().inNamespace("acme").list().getItems().getFirst();
      try (NodeAgent agent = new NodeAgent(kube.client(), deployment, port, freePort(), kube.kubeconfig())) {
        assertThat(agent.environment()).containsEntry("SLIPSTREAM_JWT_SECRET", JWT_SECRET)
            .containsEntry("SLIPSTREAM_ACCESS_RULES", "public.orders:customer_id=sub");
        agent.createPod();
        agent.start(log);
        await().atMost(WAIT).until(() -> {
          assertThat(agent.alive()).as("the runtime process (log: " + log.toAbsolutePath() + ")").isTrue();
          return status(port, "/readyz") == 200;
        });
        agent.reportReady();
        await().atMost(WAIT).until(() -> {
          RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get();
          return tenant.getStatus() != null && tenant.getStatus().getPhase() == TenantPhase.READY;
        });

        List<String> seven = sse(port, token("7"));
        List<String> none = sse(port, null);
        await().atMost(WAIT).until(() -> seven.contains(": connected"));
        postgres.execute("INSERT INTO orders VALUES (1, 8, 'for eight')", "INSERT INTO orders VALUES (2, 7, 'for seven')");
        await().atMost(WAIT).until(() -> seven.stream().anyMatch(line -> line.contains("for seven")));
        assertThat(seven).noneMatch(line -> line.contains("for eight"));
        assertThat(none).as("no token: refused").containsExactly("HTTP 401");

        // The pod reports itself; the operator sums it up for kubectl get rtt.
        await().atMost(WAIT).untilAsserted(() -> {
          var runtime = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get()
              .getStatus().getRuntime();
          assertThat(runtime).isNotNull();
          assertThat(runtime.getPods()).singleElement().satisfies(pod -> {
            assertThat(pod.getName()).isEqualTo(agent.podName());
            assertThat(pod.getRole()).isEqualTo("Leader");
            assertThat(pod.getReady()).isTrue();
            assertThat(pod.getClients()).isEqualTo(1L);
          });
          assertThat(runtime.getLeader()).isEqualTo(agent.podName());
          assertThat(runtime.getConnectedClients()).isEqualTo(1L);
        });

        // A pod killed with its node cannot remove its own entry: the operator prunes it.
        agent.killPod();
        await().atMost(WAIT).untilAsserted(() -> {
          var runtime = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get()
              .getStatus().getRuntime();
          assertThat(runtime.getPods()).as("the dead pod's entry").isNullOrEmpty();
          assertThat(runtime.getConnectedClients()).isIn(null, 0L);
        });
      }
    } finally {
      Main.stop(operator);
    }
  }

  private static String tenantReason(String condition) {
    RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get();
    if (tenant == null || tenant.getStatus() == null || tenant.getStatus().getConditions() == null) {
      return "";
    }
    return tenant.getStatus().getConditions().stream().filter(c -> c.getType().equals(condition))
        .map(c -> c.getReason()).findFirst().orElse("");
  }

  private static String token(String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
        .claim("role", "authenticated").expirationTime(Date.from(Instant.now().plusSeconds(3600))).build());
    jwt.sign(new MACSigner(JWT_SECRET));
    return jwt.serialize();
  }

  /** The lines of an SSE stream as they arrive (or {@code HTTP <status>} when refused). */
  private static List<String> sse(int port, String token) {
    List<String> lines = new CopyOnWriteArrayList<>();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/realtime/v1/sse?table=orders"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
      if (response.statusCode() != 200) {
        lines.add("HTTP " + response.statusCode());
        return;
      }
      Thread.ofVirtual().start(() -> {
        try (Stream<String> body = response.body()) {
          body.forEach(lines::add);
        } catch (RuntimeException e) {
          // the runtime went away at the end of the test
        }
      });
    });
    if (token == null) {
      await().atMost(WAIT).until(() -> !lines.isEmpty());
    }
    return lines;
  }

  private static int status(int port, String path) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
