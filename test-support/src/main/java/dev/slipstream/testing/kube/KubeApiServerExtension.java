package dev.slipstream.testing.kube;

import dev.slipstream.testing.RepositoryLayout;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kube-apiserver and etcd for one test class (kube-api-test), with a Fabric8 client, a
 * kubeconfig file for {@code kubectl}, and Slipstream's CRDs installed; or, with
 * {@link #controlPlane()}, a control plane that also runs kube-controller-manager
 * ({@link ControllerManager}), so Deployments make ReplicaSets and Pods for real.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();
 * }</pre>
 */
public final class KubeApiServerExtension implements BeforeAllCallback, AfterAllCallback {

  private static final Duration KUBECTL_TIMEOUT = Duration.ofMinutes(2);

  private final boolean installCrds;
  private final boolean controllers;
  private TestApiServer server;
  private ControllerManager controllerManager;
  private Path kubeconfig;

  private KubeApiServerExtension(boolean installCrds, boolean controllers) {
    this.installCrds = installCrds;
    this.controllers = controllers;
  }

  public static KubeApiServerExtension withSlipstreamCrds() {
    return new KubeApiServerExtension(true, false);
  }

  public static KubeApiServerExtension bare() {
    return new KubeApiServerExtension(false, false);
  }

  /** The API server and kube-controller-manager, no CRDs (a chart brings them); nodes are the test's. */
  public static KubeApiServerExtension controlPlane() {
    return new KubeApiServerExtension(false, true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    server = TestApiServer.start();
    kubeconfig = Files.createTempFile("slipstream-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, server.kubeconfigYaml());
    if (controllers) {
      Path logs = Files.isDirectory(Path.of("target")) ? Path.of("target", "control-plane")
          : Files.createTempDirectory("slipstream-control-plane");
      controllerManager = ControllerManager.start(server, kubeconfig,
          logs.resolve("kube-controller-manager-" + ProcessHandle.current().pid() + ".log"));
    }
    if (installCrds) {
      installCrds(RepositoryLayout.crds());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (controllerManager != null) {
      controllerManager.close();
    }
    if (server != null) {
      server.close();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  public KubernetesClient client() {
    return server.client();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The API server itself: to stop and start it ({@link TestApiServer#stopApiServer()}). */
  public TestApiServer server() {
    return server;
  }

  /** The controller manager of {@link #controlPlane()}; null otherwise. */
  public ControllerManager controllerManager() {
    return controllerManager;
  }

  /** Creates every CRD in {@code dir} and waits until the API server serves them. */
  public void installCrds(Path dir) throws IOException {
    server.installCrds(dir);
  }

  /** Runs the real {@code kubectl} against this API server. */
  public CommandResult kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(server.binaries().kubectl().toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
      CompletableFuture<String> out = readAsync(process.getInputStream());
      CompletableFuture<String> err = readAsync(process.getErrorStream());
      if (!process.waitFor(KUBECTL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in " + KUBECTL_TIMEOUT);
      }
      return new CommandResult(process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running kubectl", e);
    }
  }

  /** {@code kubectl apply -n namespace -f <yaml>}: the way a platform engineer submits a resource. */
  public CommandResult kubectlApply(String namespace, String yaml) {
    try {
      Path file = Files.createTempFile("slipstream-apply", ".yaml");
      try {
        Files.writeString(file, yaml);
        return kubectl("apply", "-n", namespace, "-f", file.toString());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a temporary manifest", e);
    }
  }

  private static java.io.File nullFile() {
    return new java.io.File("/dev/null");
  }

  /**
   * Reads the stream to its end on a thread of its own. Not on the common ForkJoinPool: on a 2-core
   * machine that pool has one worker, a long kubectl ({@code delete --timeout=90s}) would hold it,
   * and everything else in the JVM that completes futures there (the Fabric8 client of an operator
   * under test) would stall until kubectl gives up.
   */
  private static CompletableFuture<String> readAsync(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "<unreadable: " + e.getMessage() + ">";
      }
    }, task -> Thread.ofPlatform().daemon().name("kubectl-output").start(task));
  }
}
