package dev.slipstream.testing.kube;

import dev.slipstream.testing.RepositoryLayout;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kube-apiserver and etcd for one test class (kube-api-test), with a Fabric8 client, a
 * kubeconfig file for {@code kubectl}, and Slipstream's CRDs installed.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();
 * }</pre>
 */
public final class KubeApiServerExtension implements BeforeAllCallback, AfterAllCallback {

  private static final Duration KUBECTL_TIMEOUT = Duration.ofMinutes(2);

  private final boolean installCrds;
  private KubeAPIServer server;
  private KubernetesClient client;
  private Path kubeconfig;
  private KubeTestBinaries binaries;
  private Path testDir;

  private KubeApiServerExtension(boolean installCrds) {
    this.installCrds = installCrds;
  }

  public static KubeApiServerExtension withSlipstreamCrds() {
    return new KubeApiServerExtension(true);
  }

  public static KubeApiServerExtension bare() {
    return new KubeApiServerExtension(false);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    binaries = KubeTestBinaries.configured().requirePresent();
    server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir((testDir = binaries.isolatedTestDir()).toString())
        .withApiServerVersion(binaries.version())
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withApiServerFlag("--bind-address", "127.0.0.1")
        .build());
    server.start();
    String kubeconfigYaml = server.getKubeConfigYaml();
    kubeconfig = Files.createTempFile("slipstream-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, kubeconfigYaml);
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
    if (installCrds) {
      installCrds(RepositoryLayout.crds());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
    if (testDir != null) {
      KubeTestBinaries.deleteIsolatedTestDir(testDir);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public Path kubeconfig() {
    return kubeconfig;
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

  /** Runs the real {@code kubectl} against this API server. */
  public CommandResult kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binaries.kubectl().toString());
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

  private static CompletableFuture<String> readAsync(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "<unreadable: " + e.getMessage() + ">";
      }
    });
  }
}
