package dev.slipstream.testing.kube;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd (kube-api-test, offline, from the binaries
 * {@code bin/k8s-test-binaries} builds) with a private certificate directory, on 127.0.0.1, and a
 * Fabric8 client for it. For JUnit, {@link KubeApiServerExtension} wraps one; benchmarks and
 * per-class operator clusters start their own.
 */
public final class TestApiServer implements AutoCloseable {

  private final KubeAPIServer server;
  private final Path testDir;
  private final KubeTestBinaries binaries;
  private final String kubeconfigYaml;
  private final KubernetesClient client;
  private final ApiServerRestarts restarts;

  private TestApiServer(KubeAPIServer server, Path testDir, KubeTestBinaries binaries) {
    this.server = server;
    this.testDir = testDir;
    this.binaries = binaries;
    this.kubeconfigYaml = server.getKubeConfigYaml();
    this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
    this.restarts = new ApiServerRestarts(server,
        Files.isDirectory(Path.of("target")) ? Path.of("target", "control-plane") : testDir);
  }

  /**
   * The Service address range: 65,534 ClusterIPs. kube-api-test's own (10.0.0.0/24) holds 254
   * Services, fewer than the runtime Services of 254 tenants.
   */
  public static final String SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/16";

  /** How long kube-api-test waits for etcd, the API server and its default namespace, each. */
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How many API servers a start tries. An API server that is not ready within the timeout is
   * stopped and a fresh one (new directory, new ports) started: the one such failure in CI, after
   * hundreds of starts, gave no sign of its cause, and the likeliest ones (a port kube-api-test found
   * free taken before kube-apiserver bound it; a stalled etcd) are not the next server's.
   */
  static final int START_ATTEMPTS = 2;

  /** How many of a process's last log lines a failed start prints. */
  private static final int LOG_TAIL_LINES = 40;

  /** Starts one; fails with the command to run when the binaries are missing. */
  public static TestApiServer start() {
    return start(KubeTestBinaries.configured().requirePresent(), STARTUP_TIMEOUT);
  }

  /** Starts one from {@code binaries}, giving each attempt {@code timeout} per process to be ready. */
  static TestApiServer start(KubeTestBinaries binaries, Duration timeout) {
    for (int attempt = 1; ; attempt++) {
      awaitPastMidnightIfNear(LocalTime.now());
      Path testDir = binaries.isolatedTestDir(List.of("--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE));
      KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
          .withTestDir(testDir.toString())
          .withApiServerVersion(binaries.version())
          .withOfflineMode(true)
          .withUpdateKubeConfig(false)
          .withApiServerFlag("--bind-address", "127.0.0.1")
          .withStartupTimeout((int) timeout.toMillis())
          .build());
      try {
        server.start();
        return new TestApiServer(server, testDir, binaries);
      } catch (RuntimeException e) {
        // kube-api-test leaves the processes of a start that timed out running.
        stopQuietly(server);
        String logs = logTails(testDir);
        KubeTestBinaries.deleteIsolatedTestDir(testDir);
        if (attempt == START_ATTEMPTS) {
          throw new IllegalStateException("the test API server did not start in " + attempt + " attempts ("
              + e.getMessage() + "); the last attempt's logs:\n" + logs, e);
        }
        System.out.printf("The test API server did not start (%s), attempt %d of %d; its logs:%n%s%n"
            + "Starting a fresh one.%n", e.getMessage(), attempt, START_ATTEMPTS, logs);
      }
    }
  }

  private static void stopQuietly(KubeAPIServer server) {
    try {
      server.stop();
    } catch (RuntimeException alreadyStopped) {
      // When kube-apiserver exits, kube-api-test stops etcd and removes its data itself; stopping
      // again then fails on the missing data directory, with nothing left running.
    }
  }

  /** The last lines etcd and kube-apiserver wrote, each under a heading. */
  static String logTails(Path testDir) {
    StringBuilder tails = new StringBuilder();
    for (String name : List.of("etcd", "kube-apiserver")) {
      Path log = KubeTestBinaries.logFile(testDir, name);
      tails.append("--- last ").append(LOG_TAIL_LINES).append(" lines of ").append(name).append("'s output ---\n");
      try {
        List<String> lines = Files.readAllLines(log);
        lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
            .forEach(line -> tails.append(line).append('\n'));
      } catch (IOException e) {
        tails.append("(cannot read ").append(log).append(": ").append(e).append(")\n");
      }
    }
    return tails.toString();
  }

  /**
   * kube-api-test 7.5.2 computes its readiness deadline as a {@link LocalTime} ("now" plus the
   * timeout), which wraps at midnight: a start that begins less than a timeout before midnight sees
   * its deadline already passed and fails at once with "Kube API Server did not start properly"
   * (a CI run at 23:58:59 failed so). Such a start waits until just after midnight instead, at
   * most a few minutes once a day; it is not a synchronisation with anything the tests check.
   */
  static Duration waitBeforeStart(LocalTime now) {
    // Three polls in turn (etcd, the API server, its default namespace), each with the timeout.
    Duration risky = STARTUP_TIMEOUT.multipliedBy(3);
    Duration toMidnight = Duration.between(now, LocalTime.MAX).plusNanos(1);
    return toMidnight.compareTo(risky) < 0 ? toMidnight.plusSeconds(1) : Duration.ZERO;
  }

  private static void awaitPastMidnightIfNear(LocalTime now) {
    Duration wait = waitBeforeStart(now);
    if (wait.isZero()) {
      return;
    }
    System.out.printf("kube-api-test's start deadline wraps at midnight (LocalTime): waiting %d s until"
        + " just after midnight before starting the API server%n", wait.toSeconds());
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting out midnight", e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public String kubeconfigYaml() {
    return kubeconfigYaml;
  }

  public KubeTestBinaries binaries() {
    return binaries;
  }

  /**
   * Stops kube-apiserver (SIGTERM, as a control-plane restart does); etcd keeps running with its
   * data. Clients get connection refused until {@link #startApiServer()}. Returns the command it ran.
   */
  public List<String> stopApiServer() {
    return restarts.stop();
  }

  /**
   * Starts kube-apiserver again with {@code command} (what {@link #stopApiServer()} returned): the
   * same port, certificates and etcd; returns once it answers {@code /readyz}.
   */
  public void startApiServer(List<String> command) {
    restarts.start(command, client);
  }

  /** Creates every CRD in {@code dir} and waits until the API server serves them. */
  public void installCrds(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.resource(crd).serverSideApply();
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                && c.getStatus().getConditions().stream()
                .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                1, TimeUnit.MINUTES);
      }
    }
  }

  @Override
  public void close() {
    client.close();
    restarts.close();
    server.stop();
    KubeTestBinaries.deleteIsolatedTestDir(testDir);
  }
}
