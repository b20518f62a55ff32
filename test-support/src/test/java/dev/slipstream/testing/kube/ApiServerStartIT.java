package dev.slipstream.testing.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start whose kube-apiserver never becomes ready: it is tried again on a fresh directory, then
 * fails with the process's own last words, and leaves no etcd running. The real etcd runs; the
 * kube-apiserver exits at once as one whose port was taken does. (Not named Test*: Surefire would
 * run it as a unit test too. Its first attempt's "did not start" report in the output is expected.)
 */
class ApiServerStartIT {

  @TempDir
  Path dir;

  @Test
  void anApiServerThatNeverStartsIsTriedAgainThenReportedWithItsLog() throws Exception {
    KubeTestBinaries real = KubeTestBinaries.configured().requirePresent();
    KubeTestBinaries broken = new KubeTestBinaries(dir, real.version());
    Files.createDirectories(broken.binaryDir());
    for (Path binary : List.of(real.etcd(), real.kubectl(), real.kubeControllerManager())) {
      Files.createSymbolicLink(broken.binaryDir().resolve(binary.getFileName()), binary.toAbsolutePath());
    }
    Path apiServer = broken.kubeApiServer();
    Files.writeString(apiServer, "#!/bin/sh\necho 'E1204 run.go:72] \"command failed\" err=\"failed to listen on"
        + " 127.0.0.1:41234: listen tcp 127.0.0.1:41234: bind: address already in use\"' >&2\nexit 1\n");
    Files.setPosixFilePermissions(apiServer, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(() -> TestApiServer.start(broken, Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the test API server did not start in 2 attempts")
        .hasMessageContaining("bind: address already in use")
        .hasMessageContaining("--- last 40 lines of etcd's output ---");

    assertThat(ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .map(process -> process.info().command().orElse(""))
        .filter(command -> command.endsWith("/etcd") || command.endsWith("kube-apiserver")))
        .as("etcd and kube-apiserver of both attempts are stopped")
        .isEmpty();
  }
}
