package dev.slipstream.testing.kube;

import dev.slipstream.testing.Processes;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager for a {@link TestApiServer}, with only the controllers a local cluster
 * needs: Deployments make ReplicaSets, ReplicaSets make Pods, Services get EndpointSlices, owned
 * objects go with their owner (garbage collector), deleted namespaces are emptied, and every
 * namespace gets its {@code default} ServiceAccount. Left out, to save CPU: the node lifecycle
 * controller (no node heartbeats to watch; it would evict the pods of a silent node), and
 * everything for volumes, jobs, certificates, autoscaling and clouds.
 *
 * <p>It acts with the test API server's admin credentials ({@code --use-service-account-credentials=false})
 * and serves nothing ({@code --secure-port=0}); its log goes to a file.
 */
public final class ControllerManager implements AutoCloseable {

  public static final List<String> CONTROLLERS = List.of("deployment-controller", "replicaset-controller",
      "endpointslice-controller", "garbage-collector-controller", "namespace-controller", "serviceaccount-controller");

  private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);

  private final Process process;
  private final Path log;

  private ControllerManager(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts it against {@code server}.
   *
   * @param kubeconfig the server's admin kubeconfig file
   * @param log where its output goes
   */
  public static ControllerManager start(TestApiServer server, Path kubeconfig, Path log) {
    Path binary = server.binaries().kubeControllerManager();
    List<String> command = List.of(binary.toString(),
        "--kubeconfig=" + kubeconfig.toAbsolutePath(),
        "--controllers=" + String.join(",", CONTROLLERS),
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        "--secure-port=0",
        // The defaults (20 requests/s, bursts of 30) are a real cluster's share; a benchmark creates thousands of pods.
        "--kube-api-qps=200",
        "--kube-api-burst=400",
        "--concurrent-deployment-syncs=10",
        "--concurrent-replicaset-syncs=10");
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      LOG.info("kube-controller-manager started (pid {}, controllers {}), log: {}", process.pid(),
          String.join(",", CONTROLLERS), log.toAbsolutePath());
      return new ControllerManager(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() {
    Processes.stop(process);
  }
}
