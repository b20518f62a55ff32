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
   * A fresh kube-api-test directory for one API server: its {@code k8s/<version>} folder links to
   * the shared binaries, while the certificates kube-api-test and kube-apiserver write there stay
   * private, so test JVMs running at the same time do not rewrite each other's certificates.
   *
   * <p>Its {@code kube-apiserver} and {@code etcd} are two-line scripts that run the shared ones
   * with their output in {@link #logFile} (kube-api-test only passes it to a debug logger, so a
   * server that never became ready left no trace) and with flags after every flag kube-api-test
   * passes: {@code lastFlags} for kube-apiserver (kube-api-test appends flags of its own after ours,
   * among them {@code --service-cluster-ip-range 10.0.0.0/24}: 254 Services, and for a
   * single-valued flag kube-apiserver keeps the last occurrence), {@link #ETCD_FLAGS} for etcd.
   */
  public Path isolatedTestDir(List<String> lastFlags) {
    try {
      Path dir = Files.createTempDirectory("slipstream-kube-api-test");
      Path versionDir = Files.createDirectories(dir.resolve("k8s").resolve(binaryDir().getFileName()));
      Files.createDirectories(dir.resolve(LOG_DIR));
      for (Path binary : List.of(kubectl(), kubeControllerManager())) {
        Files.createSymbolicLink(versionDir.resolve(binary.getFileName()), binary.toAbsolutePath());
      }
      writeWrapper(versionDir, kubeApiServer(), lastFlags, logFile(dir, "kube-apiserver"));
      writeWrapper(versionDir, etcd(), ETCD_FLAGS, logFile(dir, "etcd"));
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot prepare a kube-api-test directory", e);
    }
  }

  /**
   * etcd skips fsync: a test cluster's data dies with the test anyway, and an API server's first
   * start writes some hundred objects (RBAC bootstrap roles, priority classes), each waiting for a
   * disk flush that the tests' PostgreSQL instances compete for on a loaded CI machine.
   */
  static final List<String> ETCD_FLAGS = List.of("--unsafe-no-fsync");

  private static final String LOG_DIR = "logs";

  /** Where the {@code name} process ({@code kube-apiserver}, {@code etcd}) of {@code testDir} writes its output. */
  public static Path logFile(Path testDir, String name) {
    return testDir.resolve(LOG_DIR).resolve(name + ".log");
  }

  private static void writeWrapper(Path versionDir, Path binary, List<String> lastFlags, Path log)
      throws java.io.IOException {
    StringBuilder script = new StringBuilder("#!/bin/sh\nexec ").append(quoted(binary.toAbsolutePath().toString()))
        .append(" \"$@\"");
    for (String flag : lastFlags) {
      script.append(' ').append(quoted(flag));
    }
    script.append(" >>").append(quoted(log.toAbsolutePath().toString())).append(" 2>&1\n");
    Path wrapper = versionDir.resolve(binary.getFileName());
    Files.writeString(wrapper, script);
    Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
  }

  private static String quoted(String word) {
    if (word.contains("'")) {
      throw new IllegalArgumentException("a quote in a word of a wrapper script: " + word);
    }
    return "'" + word + "'";
  }

  public Path kubeApiServer() {
    return binaryDir().resolve("kube-apiserver");
  }

  public Path etcd() {
    return binaryDir().resolve("etcd");
  }

  /** Removes a directory made by {@link #isolatedTestDir} (the links, not the shared binaries). */
  public static void deleteIsolatedTestDir(Path dir) {
    try (var paths = Files.walk(dir)) {
      // Files.walk does not follow links, so only the links themselves are deleted.
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (java.io.IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  /** Fails with the command that builds the binaries when one is missing. */
  public KubeTestBinaries requirePresent() {
    for (String name : List.of("kube-apiserver", "etcd", "kubectl", "kube-controller-manager")) {
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
