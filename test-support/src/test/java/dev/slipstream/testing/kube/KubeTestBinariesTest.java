package dev.slipstream.testing.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrappers an isolated kube-api-test directory runs instead of the shared binaries: they pass
 * kube-api-test's arguments on, append ours, and keep the output in a log a failed start can show.
 */
class KubeTestBinariesTest {

  @TempDir
  Path shared;

  private KubeTestBinaries binaries;
  private final List<Path> made = new ArrayList<>();

  @Test
  void theApiServerWrapperAppendsTheFlagsAndLogsTheOutput() throws Exception {
    Path dir = isolated(List.of("--service-cluster-ip-range=10.0.0.0/16"));
    run(wrapper(dir, "kube-apiserver"), "--secure-port", "4242");

    assertThat(Files.readString(KubeTestBinaries.logFile(dir, "kube-apiserver")))
        .isEqualTo("kube-apiserver args: --secure-port 4242 --service-cluster-ip-range=10.0.0.0/16\n"
            + "kube-apiserver complains on stderr\n");
  }

  @Test
  void etcdRunsWithoutFsyncAndLogsItsOutput() throws Exception {
    Path dir = isolated(List.of());
    run(wrapper(dir, "etcd"), "-data-dir", "/tmp/x");

    assertThat(Files.readString(KubeTestBinaries.logFile(dir, "etcd")))
        .startsWith("etcd args: -data-dir /tmp/x --unsafe-no-fsync\n");
    assertThat(TestApiServer.logTails(dir))
        .contains("--- last 40 lines of etcd's output ---\netcd args: -data-dir /tmp/x --unsafe-no-fsync\n")
        .contains("--- last 40 lines of kube-apiserver's output ---\n(cannot read ");
  }

  @Test
  void kubectlAndTheControllerManagerAreTheSharedBinaries() throws Exception {
    Path dir = isolated(List.of());
    assertThat(Files.readSymbolicLink(wrapper(dir, "kubectl"))).isEqualTo(binaries.kubectl().toAbsolutePath());
    assertThat(Files.readSymbolicLink(wrapper(dir, "kube-controller-manager")))
        .isEqualTo(binaries.kubeControllerManager().toAbsolutePath());

    KubeTestBinaries.deleteIsolatedTestDir(made.removeLast());
    assertThat(binaries.binaryDir().resolve("kubectl")).as("deleting the directory leaves the shared binary").exists();
  }

  @Test
  void aQuoteInAFlagIsRefused() {
    assertThatThrownBy(() -> binaries.isolatedTestDir(List.of("--x='y'")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--x='y'");
  }

  /** Binaries that print their arguments on stdout and one line on stderr. */
  @BeforeEach
  void fakeBinaries() throws IOException {
    binaries = new KubeTestBinaries(shared, "1.0.0");
    Files.createDirectories(binaries.binaryDir());
    for (String name : List.of("kube-apiserver", "etcd", "kubectl", "kube-controller-manager")) {
      Path binary = binaries.binaryDir().resolve(name);
      Files.writeString(binary, "#!/bin/sh\necho \"" + name + " args: $*\"\necho \"" + name + " complains on stderr\" >&2\n");
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** An isolated directory for these binaries, deleted after the test (it lies outside the JUnit one). */
  private Path isolated(List<String> lastFlags) {
    Path dir = binaries.isolatedTestDir(lastFlags);
    made.add(dir);
    return dir;
  }

  @AfterEach
  void deleteIsolated() {
    made.forEach(KubeTestBinaries::deleteIsolatedTestDir);
  }

  private Path wrapper(Path dir, String name) {
    return dir.resolve("k8s").resolve(binaries.binaryDir().getFileName()).resolve(name);
  }

  private static void run(Path program, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(program.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the wrapper exits").isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(process.getInputStream().readAllBytes()).as("the wrapper's own stdout").isEmpty();
  }
}
