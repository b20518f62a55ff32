package dev.slipstream.runtime.faults;

import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.runtime.testing.TenantPods;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import dev.slipstream.testing.kube.CommandResult;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Runtime processes as the pods of one tenant on a real API server: each on its own loopback
 * address (127.0.0.{20+n}) with the same client and relay ports, taking part in the tenant's Lease
 * as the operator's pods do. The pod environment and the Lease lookup are {@link TenantPods}'; this
 * adds the processes' lifecycle and their HTTP endpoints.
 */
final class TenantProcesses implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(120);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One runtime process. */
  record Pod(String name, String host, int port, RuntimeProcess process) {
    URI uri(String path) {
      return URI.create("http://" + host + ":" + port + path);
    }
  }

  private final TestPostgres postgres;
  private final KubeApiServerExtension kube;
  private final String namespace;
  private final String tenant;
  private final String slot;
  private final String publication;
  private final Duration lease;
  private final Path logDir;
  private final int port = RuntimeProcess.freePort();
  private final int relayPort = RuntimeProcess.freePort();
  private final List<Pod> pods = new ArrayList<>();
  private int started;

  TenantProcesses(TestPostgres postgres, KubeApiServerExtension kube, String namespace, String tenant, String slot,
      String publication, Duration lease, Path logDir) {
    this.postgres = postgres;
    this.kube = kube;
    this.namespace = namespace;
    this.tenant = tenant;
    this.slot = slot;
    this.publication = publication;
    this.lease = lease;
    this.logDir = logDir;
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates the RealtimeTenant the pods report into (and its namespace, if new): the pods write
   * their status entries there; nothing else reads it here.
   */
  static void createTenant(KubeApiServerExtension kube, String namespace, String tenant) {
    if (kube.client().namespaces().withName(namespace).get() == null) {
      kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
          .build()).create();
    }
    CommandResult applied = kube.kubectlApply(namespace, TenantPods.tenantManifest(tenant, 2));
    if (applied.exitCode() != 0) {
      throw new AssertionError("kubectl apply of tenant " + tenant + " failed: " + applied);
    }
  }

  /** Starts the next pod with {@code extra} on top of the tenant's environment; does not wait for it. */
  Pod start(Map<String, String> extra) {
    int n = ++started;
    String host = "127.0.0." + (20 + n);
    String name = tenant + "-runtime-" + n;
    Map<String, String> env = RuntimeProcess.environment(postgres, slot, publication, port, logDir.resolve("spill-" + n));
    TenantPods.join(env, tenant, namespace, name, host, relayPort, lease, kube.kubeconfig());
    env.putAll(extra);
    Pod pod = new Pod(name, host, port, RuntimeProcess.start(name, env, logDir.resolve(name + ".log")));
    pods.add(pod);
    return pod;
  }

  /** Starts a pod and waits until it is ready. */
  Pod startReady(Map<String, String> extra) {
    Pod pod = start(extra);
    awaitReady(pod);
    return pod;
  }

  void awaitReady(Pod pod) {
    within(pod.name() + " to be ready (GET /readyz)", () -> {
      if (!pod.process().isAlive()) {
        throw new AssertionError(pod.name() + " exited with " + pod.process().exitValue());
      }
      return status(pod, "/readyz") == 200;
    });
  }

  /** Every line every pod of this tenant logged so far (their log files, all runs). */
  String logs() {
    StringBuilder text = new StringBuilder();
    try (var files = Files.list(logDir)) {
      for (Path log : files.filter(file -> file.toString().endsWith(".log")).sorted().toList()) {
        text.append(Files.readString(log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The pod holding the tenant's Lease, or null. */
  Pod leader() {
    String name = TenantPods.leaseHolder(kube.client(), namespace, tenant);
    return name == null ? null : pods.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  /** SIGTERM, as Kubernetes stops a pod: it drains its clients, hands the Lease over and exits. */
  void stop(Pod pod) {
    pod.process().stop(WAIT);
  }

  static int status(Pod pod, String path) {
    return get(pod, path).statusCode();
  }

  static String body(Pod pod, String path) {
    return get(pod, path).body();
  }

  /** The first sample of a metric (its value, NaN when absent or unreachable). */
  static double metric(Pod pod, String name) {
    try {
      return get(pod, "/metrics").body().lines()
          .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
          .orElse(Double.NaN);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static HttpResponse<String> get(Pod pod, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(pod.uri(path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for {@code condition}; on timeout fails with the pods' log tails. */
  void within(String what, Callable<Boolean> condition) {
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      StringBuilder logs = new StringBuilder();
      pods.forEach(pod -> logs.append(pod.process().logTail()).append('\n'));
      throw new AssertionError("timed out after " + WAIT + " waiting for " + what + "\n" + logs, e);
    }
  }

  @Override
  public void close() {
    pods.forEach(pod -> pod.process().close());
  }
}
