package dev.slipstream.operator.tenant;

import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.TestApiServer;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One real kube-apiserver (kube-api-test) and one embedded PostgreSQL per test JVM, started on first
 * use and stopped at exit. {@link LocallyRunOperatorExtension} needs its client when it is built,
 * which is before any JUnit callback runs, so the server cannot come from a JUnit extension.
 */
public final class TestCluster {

  /**
   * Fast rechecks, so tests see a created Secret or a dropped slot within seconds. A long report
   * timeout: the simulated runtime pods report when a test says so, not every 5 s, and a loaded
   * machine must not have their entries pruned as silent in the middle of a test.
   */
  public static final OperatorConfig CONFIG = OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RECHECK_INTERVAL", "2",
      "SLIPSTREAM_RUNTIME_REPORT_TIMEOUT", "300"));

  /** The tenant reconciler's own metrics (slot lag per tenant), for assertions. */
  public static final io.micrometer.prometheusmetrics.PrometheusMeterRegistry METRICS =
      new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);

  private static TestPostgres postgres;
  /** The API server behind each client handed out, for kubectl. */
  private static final Map<KubernetesClient, TestApiServer> SERVERS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Map<KubernetesClient, Path> KUBECONFIGS = new java.util.concurrent.ConcurrentHashMap<>();

  private TestCluster() {
  }

  /**
   * Starts a new API server and returns a client for it. One per test class: the operator
   * extension deletes the CRDs it applied when the class ends, and with the operator stopped the
   * resources' finalizers keep those CRDs terminating, unusable for the next class.
   */
  public static synchronized KubernetesClient newServerClient() {
    TestApiServer server = TestApiServer.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kube-api-test-stop"));
    SERVERS.put(server.client(), server);
    return server.client();
  }

  /** The API server the operator extension talks to: to stop and start it. */
  public static TestApiServer apiServer(LocallyRunOperatorExtension operator) {
    TestApiServer server = SERVERS.get(operator.getKubernetesClient());
    if (server == null) {
      throw new IllegalStateException("the extension's client does not come from TestCluster.newServerClient()");
    }
    return server;
  }

  /** Runs the real {@code kubectl} against the API server the operator extension talks to. */
  public static dev.slipstream.testing.kube.CommandResult kubectl(LocallyRunOperatorExtension operator, String... args) {
    KubernetesClient client = operator.getKubernetesClient();
    TestApiServer server = SERVERS.get(client);
    if (server == null) {
      throw new IllegalStateException("the extension's client does not come from TestCluster.newServerClient()");
    }
    Path kubeconfig = KUBECONFIGS.computeIfAbsent(client, c -> {
      try {
        Path file = Files.createTempFile("slipstream-kubeconfig", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, server.kubeconfigYaml());
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    List<String> command = new java.util.ArrayList<>();
    command.add(server.binaries().kubectl().toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(false)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
      var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
      if (!process.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in 2 minutes");
      }
      return new dev.slipstream.testing.kube.CommandResult(process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running kubectl", e);
    }
  }

  private static String read(java.io.InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<unreadable: " + e.getMessage() + ">";
    }
  }

  public static synchronized TestPostgres postgres() {
    if (postgres == null) {
      postgres = TestPostgres.logical().start();
      TestPostgres started = postgres;
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "postgres-stop"));
    }
    return postgres;
  }

  /**
   * The operator extension for a test class: the three reconcilers, one namespace for the class, the
   * committed CRDs from charts/slipstream/crds. Namespaces are not awaited on deletion: without a
   * kube-controller-manager, no one finalizes them.
   */
  public static LocallyRunOperatorExtension operator() {
    return LocallyRunOperatorExtension.builder()
        .withKubernetesClient(newServerClient())
        // As in production: JOSDK's metrics wrap reconcile failures, which conditions must see through.
        .withConfigurationService(overrider -> overrider.withMetrics(dev.slipstream.operator.Main.metrics(METRICS)))
        .withReconciler(new TenantReconciler(CONFIG, METRICS))
        .withReconciler(new dev.slipstream.operator.publication.PublicationReconciler(CONFIG))
        .withAdditionalCRD(crdFiles())
        .oneNamespacePerClass(true)
        .waitForNamespaceDeletion(false)
        .build();
  }

  /** Loads YAML into a typed resource. */
  public static <T extends HasMetadata> T load(KubernetesClient client, Class<T> type, String yaml) {
    return client.resources(type).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
  }

  /** A Secret with the embedded PostgreSQL's credentials. */
  public static String secretYaml(String name, String password) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s}
        stringData: {username: %s, password: %s}
        """.formatted(name, postgres().user(), password);
  }

  /** A tenant on the embedded PostgreSQL, sslMode disable. */
  public static String tenantYaml(String name, String secretName, String reclaimPolicy) {
    return tenantYaml(name, secretName, reclaimPolicy, postgres().port());
  }

  /** A tenant pointing at {@code localhost:port}. */
  public static String tenantYaml(String name, String secretName, String reclaimPolicy, int port) {
    return """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: %s}
        spec:
          database: {host: localhost, port: %d, name: %s, sslMode: disable, credentialsSecretRef: {name: %s}}
          replication: {reclaimPolicy: %s}
        """.formatted(name, port, postgres().database(), secretName, reclaimPolicy);
  }

  private static String[] crdFiles() {
    try (Stream<Path> files = Files.list(RepositoryLayout.crds())) {
      List<String> paths = files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
          .map(Path::toString).sorted().toList();
      return paths.toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
