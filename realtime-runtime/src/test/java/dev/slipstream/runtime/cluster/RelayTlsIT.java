package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import dev.slipstream.testing.tls.TestCertificates;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two runtime processes of one tenant (a leader and a follower on the real Lease, as in
 * {@link CrossPodIT}) with TLS on the client port, which turns TLS on for the relay between them:
 * the certificate of the tenant's Service, signed by a CA in {@code ca.crt} beside it (as
 * cert-manager writes the Secret). A row committed in PostgreSQL reaches an SSE client of the
 * follower over {@code https://}, so it crossed the relay; the leader says its relay listens with
 * TLS and the follower is linked. The relay's refusals (another tenant's certificate, another CA, a
 * plain-TCP follower) are in {@code RelayTlsTest}.
 */
class RelayTlsIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String NAMESPACE = "tenants";
  private static final String TENANT = "acme";
  private static final TestCertificates.Authority CA = TestCertificates.authority("cluster issuer");

  private final List<RuntimeProcess> pods = new ArrayList<>();
  private HttpClient https;

  @AfterEach
  void stop() {
    pods.forEach(RuntimeProcess::close);
    if (https != null) {
      https.close();
    }
  }

  @Test
  void aRowCrossesTheTlsRelayToTheFollowersSseClient() throws Exception {
    postgres.execute("CREATE TABLE relayed (id bigint PRIMARY KEY, note text)",
        "CREATE PUBLICATION relay_tls FOR TABLE relayed",
        "SELECT pg_create_logical_replication_slot('relay_tls', 'pgoutput')");
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
        .build()).create();
    Path out = Files.createDirectories(Path.of("target", "relay-tls-it"));
    // What every pod mounts: the tenant Service's certificate (its name first) and the issuer's CA.
    Path tls = CA.issue("acme-runtime", "acme-runtime." + NAMESPACE + ".svc", "127.0.0.21", "127.0.0.22")
        .writeTo(Files.createTempDirectory("slipstream-relay-tls-"));
    https = HttpClient.newBuilder().sslContext(TestCertificates.trusting(CA)).connectTimeout(Duration.ofSeconds(2)).build();

    int port = RuntimeProcess.freePort();
    int relayPort = RuntimeProcess.freePort();
    for (int i = 1; i <= 2; i++) {
      String host = "127.0.0." + (20 + i);
      Map<String, String> env = RuntimeProcess.environment(postgres, "relay_tls", "relay_tls", port,
          out.resolve("spill-" + i));
      env.put("SLIPSTREAM_HOST", host);
      env.put("SLIPSTREAM_TENANT", TENANT);
      env.put("SLIPSTREAM_POD_NAME", TENANT + "-runtime-" + i);
      env.put("SLIPSTREAM_POD_NAMESPACE", NAMESPACE);
      env.put("SLIPSTREAM_POD_IP", host);
      env.put("SLIPSTREAM_RELAY_PORT", String.valueOf(relayPort));
      env.put("SLIPSTREAM_LEASE_DURATION", "10s");
      env.put("SLIPSTREAM_STATUS_INTERVAL", "1s");
      env.put("SLIPSTREAM_TLS_CERT_FILE", tls.resolve("tls.crt").toString());
      env.put("SLIPSTREAM_TLS_KEY_FILE", tls.resolve("tls.key").toString());
      env.put("KUBECONFIG", kube.kubeconfig().toAbsolutePath().toString());
      pods.add(RuntimeProcess.start(TENANT + "-runtime-" + i, env, out.resolve("pod-" + i + ".log")));
      if (i == 1) {
        // The first pod leads: the second then surely follows.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> leaseHolder() != null);
      }
    }
    String leader = leaseHolder();
    int leaderIndex = leader.endsWith("-1") ? 0 : 1;
    String leaderHost = "127.0.0." + (21 + leaderIndex);
    String followerHost = "127.0.0." + (22 - leaderIndex);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
        metric(leaderHost, port, "slipstream_relay_followers") == 1 && status(followerHost, port, "/readyz") == 200);
    assertThat(pods.get(leaderIndex).logTail()).contains("Relay listening on").contains("(TLS)");

    HttpResponse<InputStream> stream = https.sendAsync(HttpRequest.newBuilder(URI.create("https://" + followerHost + ":"
            + port + "/realtime/v1/sse?schema=public&table=relayed&event=INSERT")).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream()).get(30, TimeUnit.SECONDS);
    assertThat(stream.statusCode()).isEqualTo(200);
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      CompletableFuture<String> change = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith("data: ") && line.contains("relayed")) {
              return line;
            }
          }
          return null;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      postgres.execute("INSERT INTO relayed VALUES (1, 'through the TLS relay')");
      assertThat(change.get(60, TimeUnit.SECONDS)).contains("through the TLS relay");
    }
  }

  private static String leaseHolder() {
    Lease lease = kube.client().leases().inNamespace(NAMESPACE).withName(ClusterSettings.defaultLease(TENANT)).get();
    String identity = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    return identity == null || identity.isEmpty() ? null : identity.substring(0, identity.indexOf('@'));
  }

  private double metric(String host, int port, String name) throws Exception {
    String body = https.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
  }

  private int status(String host, int port, String path) throws Exception {
    return https.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

}
