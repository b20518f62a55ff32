package dev.slipstream.testing.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrappers an isolated kube-api-test directory runs instead of the shared binaries: they pass
 * kube-api-test's arguments on, append ours, and keep the output in a log a failed start can show.
 */
class KubeTestBinariesTest {

  @TempDir
  Path shared;

  @Test
  void theApiServerWrapperAppendsTheFlagsAndLogsTheOutput() throws Exception {
    KubeTestBinaries binaries = fakeBinaries();
    Path dir = binaries.isolatedTestDir(List.of("--service-cluster-ip-range=10.0.0.0/16"));
    try {
      run(wrapper(binaries, dir, "kube-apiserver"), "--secure-port", "4242");

      assertThat(Files.readString(KubeTestBinaries.logFile(dir, "kube-apiserver")))
          .isEqualTo("kube-apiserver args: --secure-port 4242 --service-cluster-ip-range=10.0.0.0/16\n"
              + "kube-apiserver complains on stderr\n");
    } finally {
      KubeTestBinaries.deleteIsolatedTestDir(dir);
    }
  }

  @Test
  void etcdRunsWithoutFsyncAndLogsItsOutput() throws Exception {
    KubeTestBinaries binaries = fakeBinaries();
    Path dir = binaries.isolatedTestDir(List.of());
    try {
      run(wrapper(binaries, dir, "etcd"), "-data-dir", "/tmp/x");

      assertThat(Files.readString(KubeTestBinaries.logFile(dir, "etcd")))
          .startsWith("etcd args: -data-dir /tmp/x --unsafe-no-fsync\n");
      assertThat(TestApiServer.logTails(dir))
          .contains("--- last 40 lines of etcd's output ---\netcd args: -data-dir /tmp/x --unsafe-no-fsync\n")
          .contains("--- last 40 lines of kube-apiserver's output ---\n(cannot read ");
    } finally {
      KubeTestBinaries.deleteIsolatedTestDir(dir);
    }
  }

  @Test
  void kubectlAndTheControllerManagerAreTheSharedBinaries() throws Exception {
    KubeTestBinaries binaries = fakeBinaries();
    Path dir = binaries.isolatedTestDir(List.of());
    try {
      assertThat(Files.readSymbolicLink(wrapper(binaries, dir, "kubectl"))).isEqualTo(binaries.kubectl().toAbsolutePath());
      assertThat(Files.readSymbolicLink(wrapper(binaries, dir, "kube-controller-manager")))
          .isEqualTo(binaries.kubeControllerManager().toAbsolutePath());
    } finally {
      KubeTestBinaries.deleteIsolatedTestDir(dir);
    }
    assertThat(binaries.binaryDir().resolve("kubectl")).exists();
  }

  @Test
  void aQuoteInAFlagIsRefused() throws Exception {
    KubeTestBinaries binaries = fakeBinaries();
    assertThatThrownBy(() -> binaries.isolatedTestDir(List.of("--x='y'")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--x='y'");
  }

  /** Binaries that print their arguments on stdout and one line on stderr. */
  private KubeTestBinaries fakeBinaries() throws IOException {
    KubeTestBinaries binaries = new KubeTestBinaries(shared, "1.0.0");
    Files.createDirectories(binaries.binaryDir());
    for (String name : List.of("kube-apiserver", "etcd", "kubectl", "kube-controller-manager")) {
      Path binary = binaries.binaryDir().resolve(name);
      Files.writeString(binary, "#!/bin/sh\necho \"" + name + " args: $*\"\necho \"" + name + " complains on stderr\" >&2\n");
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
    }
    return binaries;
  }

  private static Path wrapper(KubeTestBinaries binaries, Path dir, String name) {
    return dir.resolve("k8s").resolve(binaries.binaryDir().getFileName()).resolve(name);
  }

  private static void run(Path program, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the wrapper exits").isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(process.getInputStream().readAllBytes()).as("the wrapper's own stdout").isEmpty();
  }
}
