package dev.slipstream.testing.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@code bin/k8s-test-binaries} put kube-apiserver, etcd and kubectl, in kube-api-test's
 * layout ({@code <dir>/k8s/<version>-linux-amd64/}). These machines have no internet, so tests
 * never let kube-api-test download: a missing binary is a clear failure naming the script.
 */
public record KubeTestBinaries(Path testDir, String version) {

  public static final String DEFAULT_VERSION = "1.34.4";

  /** From the {@code kube.test.dir}/{@code kube.test.version} system properties or their environment twins. */
  public static KubeTestBinaries configured() {
    String dir = firstNonBlank(System.getProperty("kube.test.dir"), System.getenv("KUBE_API_TEST_DIR"),
        Path.of(System.getProperty("user.home"), ".cache/slipstream/kube-api-test").toString());
    String version = firstNonBlank(System.getProperty("kube.test.version"),
        System.getenv("KUBE_API_TEST_API_SERVER_VERSION"), DEFAULT_VERSION);
    return new KubeTestBinaries(Path.of(dir), version);
  }

  public Path binaryDir() {
    return testDir.resolve("k8s").resolve(version + "-linux-amd64");
  }

  public Path kubectl() {
    return binaryDir().resolve("kubectl");
  }

  public Path kubeControllerManager() {
    return binaryDir().resolve("kube-controller-manager");
  }

  /**
   * A fresh kube-api-test directory for one API server: its {@code k8s} folder links to the
   * shared binaries, while the certificates kube-api-test and kube-apiserver write there stay
   * private, so test JVMs running at the same time do not rewrite each other's certificates.
   */
  public Path isolatedTestDir() {
    try {
      Path dir = Files.createTempDirectory("slipstream-kube-api-test");
      Files.createSymbolicLink(dir.resolve("k8s"), testDir.resolve("k8s").toAbsolutePath());
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot prepare a kube-api-test directory", e);
    }
  }

  /** Removes a directory made by {@link #isolatedTestDir()} (the link, not the shared binaries). */
  public static void deleteIsolatedTestDir(Path dir) {
    try (var paths = Files.walk(dir)) {
      // Files.walk does not follow the k8s link, so only the link itself is deleted.
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (java.io.IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  /** Fails with the command that builds the binaries when one is missing. */
  public KubeTestBinaries requirePresent() {
    for (String name : List.of("kube-apiserver", "etcd", "kubectl")) {
      Path binary = binaryDir().resolve(name);
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException("Missing Kubernetes test binary " + binary
            + ". Build them with bin/k8s-test-binaries (bin/test does this first).");
      }
    }
    return this;
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    throw new IllegalArgumentException("no value");
  }
}
