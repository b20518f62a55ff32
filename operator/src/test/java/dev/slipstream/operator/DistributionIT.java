package dev.slipstream.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.Distribution;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's runnable distribution, {@code operator/target/slipstream-operator}, as the container
 * image runs it (docs/images.md): the start script from the distribution's directory, an environment
 * of {@code JAVA_HOME}, {@code PATH}, {@code HOME} and the settings the chart's Deployment gives,
 * against a real API server (a kubeconfig where the pod would have its service account). It takes the
 * leader Lease, answers its readiness probe, prints log lines only, and stops on SIGTERM.
 */
class DistributionIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final Path OUT = Path.of("target", "distribution-it");
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** A line of the text log format: {@code 2026-01-01T10:00:00.000Z INFO  [main] logger - message}. */
  private static final String LOG_LINE = "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* (TRACE|DEBUG|INFO |WARN |ERROR) .*";

  private final Distribution distribution = RepositoryLayout.operatorDistribution();

  @Test
  void theStartScriptRunsTheOperatorUntilSigterm() throws Exception {
    int port = freePort();
    Path log = OUT.resolve("operator.log");
    Process operator = start(Map.of(
        "KUBECONFIG", kube.kubeconfig().toAbsolutePath().toString(),
        "SLIPSTREAM_MANAGEMENT_PORT", Integer.toString(port),
        "SLIPSTREAM_RUNTIME_IMAGE", "slipstream-runtime:test",
        "POD_NAME", "slipstream-operator-0",
        "POD_NAMESPACE", "default"), log);
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
        assertThat(operator.isAlive()).as("the operator is running\n%s", output(log)).isTrue();
        return status(port, "/readyz") == 200;
      });
      Lease lease = kube.client().leases().inNamespace("default").withName(Main.LEADER_LEASE).get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("slipstream-operator-0");

      operator.destroy();
      assertThat(operator.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      assertThat(operator.exitValue()).as("128 + 15: the JVM ran its shutdown hooks\n%s", output(log))
          .isEqualTo(143);
    } finally {
      operator.destroyForcibly();
    }
    assertThat(output(log)).as("what the operator printed").allMatch(line -> line.matches(LOG_LINE), "is a log line")
        .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR "))
        .anyMatch(line -> line.matches(".* Slipstream operator \\S+ starting: Kubernetes API https://127\\.0\\.0\\.1:\\d+/"))
        .anyMatch(line -> line.contains("Slipstream operator started"))
        .anyMatch(line -> line.endsWith("Leader is now slipstream-operator-0"));
  }

  @Test
  void aBadSettingStopsItWithOneLineNamingTheVariable() throws Exception {
    Path log = OUT.resolve("bad-setting.log");
    Process operator = start(Map.of("SLIPSTREAM_LOG_FORMAT", "xml"), log);
    assertThat(operator.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(operator.exitValue()).isEqualTo(2);
    assertThat(output(log)).containsExactly("slipstream-operator: SLIPSTREAM_LOG_FORMAT must be text or json, not 'xml'");
  }

  private Process start(Map<String, String> env, Path log) throws IOException {
    Files.createDirectories(OUT);
    Files.deleteIfExists(log);
    return distribution.processBuilder(env, OUT).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
  }

  private static List<String> output(Path log) throws IOException {
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(line -> !line.isEmpty()).toList();
  }

  private static int status(int port, String path) {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
