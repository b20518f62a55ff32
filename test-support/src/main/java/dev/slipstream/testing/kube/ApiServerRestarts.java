package dev.slipstream.testing.kube;

import dev.slipstream.testing.Processes;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.process.KubeAPIServerProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the kube-apiserver of a running kube-api-test server and starts it again with the very
 * same command line: the same port, certificates and etcd (which keeps running, with its data).
 *
 * <p>kube-api-test has no restart. Its process wrapper treats any exit it did not ask for as a
 * crash and then tears everything down, etcd and its data included; so the wrapper is first told
 * the stop is intended (its private {@code stopped} flag, read by reflection: there is no public way
 * that stops without SIGKILL), and the process is then stopped with SIGTERM, as a control-plane
 * restart does. The new process is this class's, with its output in a log file, and is stopped on
 * {@link #close()}; kube-api-test's own stop then finds its process already gone.
 */
final class ApiServerRestarts implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServerRestarts.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(30);
  private static final Duration START_WAIT = Duration.ofMinutes(2);

  private final KubeAPIServer server;
  private final Path logDir;
  private Process replacement;
  private int restarts;

  ApiServerRestarts(KubeAPIServer server, Path logDir) {
    this.server = server;
    this.logDir = logDir;
  }

  /** Stops the running kube-apiserver (SIGTERM, SIGKILL after 30 s); returns its command line. */
  synchronized List<String> stop() {
    Process running;
    if (replacement != null) {
      running = replacement;
      replacement = null;
    } else {
      KubeAPIServerProcess wrapper = read(server, "kubeApiServerProcess", KubeAPIServerProcess.class);
      running = read(wrapper, "apiServerProcess", Process.class);
      write(wrapper, "stopped", true);
    }
    List<String> command = commandLine(running);
    running.destroy();
    try {
      if (!running.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("kube-apiserver (pid {}) did not exit within {} of SIGTERM; killing it", running.pid(), STOP_WAIT);
        running.destroyForcibly().waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      running.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    return command;
  }

  /** Starts kube-apiserver with {@code command} and waits until {@code client} finds it ready. */
  synchronized void start(List<String> command, KubernetesClient client) {
    Path log = logDir.resolve("kube-apiserver-restart-" + (++restarts) + ".log");
    try {
      Files.createDirectories(logDir);
      replacement = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.getFirst(), e);
    }
    Process started = replacement;
    Awaitility.await("kube-apiserver restarted (log " + log.toAbsolutePath() + ") to answer /readyz")
        .atMost(START_WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> {
          if (!started.isAlive()) {
            throw new IllegalStateException("kube-apiserver exited with " + started.exitValue() + ", see " + log);
          }
          return "ok".equals(client.raw("/readyz"));
        });
    LOG.info("kube-apiserver restarted (pid {}), log: {}", started.pid(), log.toAbsolutePath());
  }

  @Override
  public synchronized void close() {
    if (replacement != null) {
      Processes.stop(replacement);
      replacement = null;
    }
  }

  private static List<String> commandLine(Process process) {
    ProcessHandle.Info info = process.info();
    List<String> command = new ArrayList<>();
    command.add(info.command().orElseThrow(() -> new IllegalStateException("cannot read kube-apiserver's command")));
    command.addAll(List.of(info.arguments().orElseThrow(
        () -> new IllegalStateException("cannot read kube-apiserver's arguments"))));
    return command;
  }

  private static <T> T read(Object target, String name, Class<T> type) {
    try {
      Field field = target.getClass().getDeclaredField(name);
      field.setAccessible(true);
      return type.cast(field.get(target));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kube-api-test changed: no field " + name + " in " + target.getClass(), e);
    }
  }

  private static void write(Object target, String name, Object value) {
    try {
      Field field = target.getClass().getDeclaredField(name);
      field.setAccessible(true);
      field.set(target, value);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kube-api-test changed: no field " + name + " in " + target.getClass(), e);
    }
  }
}
