package dev.slipstream.dev.cluster;

import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.ControllerManager;
import dev.slipstream.testing.kube.TestApiServer;
import dev.slipstream.testing.node.NodeAgent;
import dev.slipstream.testing.node.SlipstreamImages;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/dev --cluster}: the whole loop of a cluster on this machine, with no cluster. A real
 * kube-apiserver, etcd and kube-controller-manager; an embedded PostgreSQL 17 with the examples'
 * schema; the chart installed with Helm; a node agent that runs the operator's pod and the tenant's
 * runtime pods as processes from their distributions; and examples/ applied with kubectl. It leaves
 * a kubeconfig for the user's kubectl and serves the example page against the tenant's runtime pod.
 *
 * <p>Unlike the end-to-end suite, it runs on the host's network, so that the host's kubectl and
 * browser reach it: pods get loopback addresses (127.x.y.z), which EndpointSlices cannot hold, so
 * Services get no endpoints and clients talk to a runtime pod's address directly.
 */
public final class ClusterDevMode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterDevMode.class);
  private static final String SYSTEM_NAMESPACE = "slipstream-system";
  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final int RUNTIME_PORT = 4000;

  private final long startNanos = System.nanoTime();
  private final List<AutoCloseable> running = new ArrayList<>(); // closed in reverse
  private final Path workDir;
  private TestApiServer apiServer;
  private Path kubeconfig;
  private TestPostgres postgres;
  private AutoCloseable stopPostgres;
  private NodeAgent node;
  private URI runtimeUrl;
  private String token;
  private ExamplePageServer page;
  private Duration timeToReady;

  private ClusterDevMode(Path workDir) {
    this.workDir = workDir.toAbsolutePath();
  }

  /**
   * Starts everything and returns once the tenant is Ready and the page is served.
   *
   * @param workDir where the kubeconfig, the pods' logs and the controller manager's log go (emptied first)
   * @param pagePort the example page's port on 127.0.0.1 (0: any free port)
   */
  public static ClusterDevMode start(Path workDir, int pagePort) throws Exception {
    ClusterDevMode dev = new ClusterDevMode(workDir);
    try {
      dev.startAll(pagePort);
      return dev;
    } catch (Exception | Error e) {
      dev.close();
      throw e;
    }
  }

  private void startAll(int pagePort) throws Exception {
    Path root = RepositoryLayout.root();
    deleteTree(workDir);
    Files.createDirectories(workDir);

    apiServer = TestApiServer.start();
    running.add(apiServer);
    kubeconfig = workDir.resolve("kubeconfig");
    Files.writeString(kubeconfig, apiServer.kubeconfigYaml());
    running.add(ControllerManager.start(apiServer, kubeconfig, workDir.resolve("kube-controller-manager.log")));
    postgres = TestPostgres.logical().start();
    stopPostgres = postgres::stop;
    running.add(stopPostgres);
    progress("control plane (etcd, kube-apiserver, kube-controller-manager) and PostgreSQL 17 on port "
        + postgres.port());

    node = NodeAgent.start(apiServer.client(), "node-1", SlipstreamImages.of(root), workDir.resolve("pods"));
    running.add(node);
    Helm.install(root.resolve("charts/slipstream").toString()).withName("slipstream")
        .withNamespace(SYSTEM_NAMESPACE).createNamespace().withKubeConfig(kubeconfig)
        .waitReady().withTimeout((int) WAIT.toSeconds()).call();
    progress("chart installed (helm install slipstream charts/slipstream), operator pod ready");

    Path examples = RepositoryLayout.examples();
    ExampleTenant.prepareDatabase(examples, postgres.port(), postgres.user(), postgres.password());
    Path copy = ExampleTenant.copyWithDatabase(examples, workDir.resolve("examples"), postgres.port());
    kubectl("apply", "-f", copy.toString());
    progress("examples applied (kubectl apply -f examples/, database localhost:" + postgres.port() + ")");

    await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
        .until(() -> "Ready".equals(tenantPhase()) && !node.running(ExampleTenant.NAMESPACE,
            ExampleTenant.RUNTIME_POD_PREFIX).isEmpty());
    timeToReady = Duration.ofNanos(System.nanoTime() - startNanos);
    progress("tenant acme Ready, runtime pod running");

    String podIp = node.running(ExampleTenant.NAMESPACE, ExampleTenant.RUNTIME_POD_PREFIX).getFirst().podIp();
    runtimeUrl = URI.create("http://" + podIp + ":" + RUNTIME_PORT);
    token = ExampleTenant.token(jwtSecret(), "42");
    page = ExamplePageServer.start(examples.resolve("web/index.html"), pagePort,
        URI.create("ws://" + podIp + ":" + RUNTIME_PORT + "/realtime/v1"), token);
    running.add(page);
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("SLIPSTREAM_PORT", "4000"));
    Path workDir = Path.of(System.getenv().getOrDefault("SLIPSTREAM_CLUSTER_DIR", "dev/target/cluster"));
    ClusterDevMode dev = start(workDir, port);
    takeBackSignals();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("\nStopping: runtime and operator processes, the control plane, PostgreSQL.");
      dev.closeOnExit();
      stopped.countDown();
    }, "shutdown"));
    System.out.printf("""

        Slipstream cluster dev mode is running (tenant Ready %.1f s after start).
          kubectl:    export KUBECONFIG=%1$s
                      kubectl get slipstream -A
                      kubectl describe rtt -n acme acme
                      kubectl get pods -A -o wide
          Demo page:  http://localhost:%3$d/   (examples/web/index.html, connected to the runtime pod)
          Runtime:    %4$s   (the pod acme-runtime-…, on a loopback address)
          SSE:        curl -N '%4$s/realtime/v1/sse?table=orders&apikey=%5$s'
          PostgreSQL: psql 'postgresql://postgres:postgres@localhost:%6$d/app'
                      then: INSERT INTO orders (id, customer_id, total) VALUES (1, 42, 25.50);
          Logs:       %7$s (pods/, kube-controller-manager.log)
        Pods have loopback addresses here, so Services get no endpoints (kubectl get endpointslices
        shows empty slices) and kubectl port-forward does not work: clients use the pod's address.
        Ctrl-C stops everything; the slot, the database and the cluster's state are thrown away.
        %n""".replace("%.1f", "%2$.1f"), dev.kubeconfig(), dev.timeToReady().toMillis() / 1000.0, dev.pagePort(),
        dev.runtimeUrl(), dev.token(), dev.postgresPort(), dev.workDir);
    stopped.await();
  }

  /**
   * helm-java's Helm is a Go library loaded into this JVM, and the Go runtime takes SIGINT and SIGTERM
   * over when it starts: without this, Ctrl-C would do nothing. The JVM's own handlers, put back,
   * exit through the shutdown hooks, as they would have.
   */
  @SuppressWarnings("sunapi")
  private static void takeBackSignals() {
    for (String name : List.of("INT", "TERM", "HUP")) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> System.exit(128 + signal.getNumber()));
    }
  }

  /** The admin kubeconfig for kubectl. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** From the start to the tenant Ready with its runtime pod running. */
  public Duration timeToReady() {
    return timeToReady;
  }

  /** The runtime pod's HTTP address, {@code http://127.x.y.z:4000}. */
  public URI runtimeUrl() {
    return runtimeUrl;
  }

  /** A client token for customer 42, signed with the tenant's JWT secret. */
  public String token() {
    return token;
  }

  public int pagePort() {
    return page.port();
  }

  public int postgresPort() {
    return postgres.port();
  }

  /** Runs SQL in the tenant's database {@code app} as the superuser. */
  public void sql(String sql) throws java.sql.SQLException {
    ExampleTenant.sql(postgres.port(), postgres.user(), postgres.password(), sql);
  }

  private String tenantPhase() {
    GenericKubernetesResource tenant = apiServer.client()
        .genericKubernetesResources("realtime.slipstream.dev/v1alpha1", "RealtimeTenant")
        .inNamespace(ExampleTenant.NAMESPACE).withName(ExampleTenant.NAME).get();
    if (tenant == null || !(tenant.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return null;
    }
    return String.valueOf(status.get("phase"));
  }

  private String jwtSecret() {
    KubernetesClient client = apiServer.client();
    String encoded = client.secrets().inNamespace(ExampleTenant.NAMESPACE).withName("acme-jwt").require().getData()
        .get("secret");
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  private void kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(apiServer.binaries().kubectl().toString(),
        "--kubeconfig=" + kubeconfig));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed:\n" + output);
    }
  }

  private void progress(String milestone) {
    System.err.printf("==> %5.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, milestone);
  }

  /** Stops the pods' processes, the page, the control plane and PostgreSQL; the API objects go with etcd. */
  @Override
  public void close() {
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        running.get(i).close();
      } catch (Exception e) {
        log.warn("Stopping {} failed: {}", running.get(i).getClass().getSimpleName(), e.getMessage());
      }
    }
    running.clear();
  }

  /**
   * {@link #close()} from a shutdown hook: all but PostgreSQL, which zonky's own shutdown hook stops
   * at the same moment (two {@code pg_ctl stop} at once: one fails and says so).
   */
  private void closeOnExit() {
    running.remove(stopPostgres);
    close();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
