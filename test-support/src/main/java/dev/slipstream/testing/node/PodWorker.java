package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on this node, on a thread of its own: gives it a pod IP, runs its containers
 * ({@link ContainerRun}), reports its status, and when the pod is deleted stops the containers
 * (SIGTERM, SIGKILL after the grace period) and then removes the Pod object, as the kubelet does.
 * A pod whose object vanished at once (a forced deletion) gets SIGKILL: nothing waits for it.
 */
final class PodWorker implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
  static final String HOST_IP = "127.0.0.1";
  /** How long the worker waits at most between two looks at its containers. */
  private static final Duration TICK = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final LocalImages images;
  private final PodAddresses addresses;
  private final Path dir;
  private final String podIp;
  private final Semaphore wake = new Semaphore(0);
  private final List<ContainerRun> containers = new ArrayList<>();
  private final PodStatusReport report;
  private volatile Pod pod;
  private volatile boolean vanished;
  private volatile Duration shutdownGrace;
  private Path kubeconfig;

  PodWorker(KubernetesClient client, LocalImages images, PodAddresses addresses, Path podsDir, Pod pod) {
    this.client = client;
    this.images = images;
    this.addresses = addresses;
    this.pod = pod;
    this.podIp = addresses.allocate();
    var metadata = pod.getMetadata();
    this.dir = podsDir.resolve(metadata.getNamespace() + "_" + metadata.getName() + "_"
        + metadata.getUid().substring(0, 8));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    for (Container container : pod.getSpec().getContainers()) {
      containers.add(new ContainerRun(container, podIp, dir.resolve(container.getName() + ".log")));
    }
    this.report = new PodStatusReport(podIp, HOST_IP);
  }

  /** The latest Pod object from the API server. */
  void update(Pod latest) {
    pod = latest;
    wake.release();
  }

  /** The Pod object is gone while its containers may still run. */
  void vanished() {
    vanished = true;
    wake.release();
  }

  /** The node goes down: stop the containers within {@code grace}, leave the API objects alone. */
  void shutdown(Duration grace) {
    shutdownGrace = grace;
    wake.release();
  }

  String podIp() {
    return podIp;
  }

  Pod pod() {
    return pod;
  }

  /** The containers running now. */
  List<NodeAgent.RunningContainer> running() {
    List<NodeAgent.RunningContainer> running = new ArrayList<>();
    Pod current = pod;
    for (ContainerRun run : List.copyOf(containers)) {
      Process process = run.process();
      if (process != null && process.isAlive()) {
        running.add(new NodeAgent.RunningContainer(current.getMetadata().getNamespace(), current.getMetadata().getName(),
            run.name(), process.pid(), podIp, run.log()));
      }
    }
    return running;
  }

  @Override
  public void run() {
    String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    try {
      LOG.info("Pod {} on this node: IP {}, logs in {}", name, podIp, dir.toAbsolutePath());
      while (true) {
        if (shutdownGrace != null) {
          stopAll(shutdownGrace);
          return;
        }
        if (vanished) {
          containers.forEach(ContainerRun::kill);
          LOG.info("Pod {} was removed from the API server: its processes were killed", name);
          return;
        }
        Pod current = pod;
        if (current.getMetadata().getDeletionTimestamp() != null) {
          terminate(current, name);
          return;
        }
        tick(current, name);
        long next = containers.stream().mapToLong(ContainerRun::nextNanos).min().orElse(Long.MAX_VALUE);
        long wait = next == Long.MAX_VALUE ? TICK.toNanos() : Math.min(TICK.toNanos(), next - System.nanoTime());
        wake.tryAcquire(Math.max(1, wait), TimeUnit.NANOSECONDS);
        wake.drainPermits();
      }
    } catch (InterruptedException e) {
      containers.forEach(ContainerRun::kill);
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Pod {}: the node agent failed to run it", name, e);
      containers.forEach(ContainerRun::kill);
    } finally {
      addresses.release(podIp);
    }
  }

  private void tick(Pod current, String name) {
    String restartPolicy = current.getSpec().getRestartPolicy();
    long now = System.nanoTime();
    for (ContainerRun run : containers) {
      if (run.reapIfExited(restartPolicy)) {
        LOG.info("Pod {}: container {} exited (log: {})", name, run.name(), run.log().toAbsolutePath());
      }
      if (run.startIfDue(now, (container, ports) -> launch(current, container, ports)) && run.running()) {
        LOG.info("Pod {}: container {} started, pid {}", name, run.name(), run.process().pid());
      }
      run.probe(System.nanoTime(), grace(current));
    }
    report.write(client, current, containers);
  }

  /** The pod is being deleted: SIGTERM, the grace period, SIGKILL, then the Pod object goes. */
  private void terminate(Pod current, String name) {
    Long seconds = current.getMetadata().getDeletionGracePeriodSeconds();
    Duration grace = seconds != null ? Duration.ofSeconds(seconds) : grace(current);
    long started = System.nanoTime();
    stopAll(grace);
    containers.forEach(run -> run.reapIfExited("Never")); // their last status: terminated, not restarting
    LOG.info("Pod {}: containers stopped in {} ms (grace {} s); removing the Pod", name,
        Duration.ofNanos(System.nanoTime() - started).toMillis(), grace.toSeconds());
    report.write(client, current, containers);
    try {
      client.pods().inNamespace(current.getMetadata().getNamespace()).withName(current.getMetadata().getName())
          .withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("Pod {}: cannot remove the Pod object: {}", name, e.getMessage());
    }
  }

  private void stopAll(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    containers.forEach(ContainerRun::terminate);
    containers.forEach(run -> run.awaitExit(deadline));
  }

  private static Duration grace(Pod pod) {
    Long seconds = pod.getSpec().getTerminationGracePeriodSeconds();
    return Duration.ofSeconds(seconds == null ? 30 : seconds);
  }

  /** The process for a container: the local image's command, the container's environment, the pod's network and identity. */
  private ContainerRun.Launch launch(Pod current, Container container, Map<Integer, Integer> ports)
      throws ContainerConfigException {
    String image = container.getImage();
    LocalImage local = images.resolve(image).orElseThrow(() -> new ContainerConfigException("ErrImagePull",
        "image " + image + " has no local command on this node (known: " + images.known() + ")"));
    Map<String, String> env = new LinkedHashMap<>(new PodEnvironment(client, current, podIp, HOST_IP).of(container));
    env.put("HOSTNAME", current.getMetadata().getName());
    if (local.listenAddressVariable() != null) {
      env.put(local.listenAddressVariable(), podIp);
    }
    for (ContainerPort port : container.getPorts()) {
      String variable = local.portVariables().get(port.getContainerPort());
      if (variable != null) {
        env.put(variable, Integer.toString(ports.computeIfAbsent(port.getContainerPort(), p -> ContainerRun.freePort())));
      }
    }
    String jvmMemory = jvmMemory(container);
    if (jvmMemory != null) {
      env.merge(local.jvmOptionsVariable(), jvmMemory, (theirs, ours) -> ours + " " + theirs);
    }
    if (kubeconfig == null) {
      kubeconfig = new PodCredentials(client).write(current, dir);
    }
    if (kubeconfig != null) {
      env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    }
    List<String> command = new ArrayList<>();
    if (container.getCommand() != null && !container.getCommand().isEmpty()) {
      command.addAll(PodEnvironment.expand(container.getCommand(), env));
    } else {
      command.addAll(local.entrypoint());
    }
    command.addAll(PodEnvironment.expand(container.getArgs(), env));
    Path workingDirectory = local.workingDirectory() != null ? local.workingDirectory() : dir;
    return new ContainerRun.Launch(command, local.environment(), env, workingDirectory);
  }

  /**
   * A JVM in a container sizes its heap from the container's memory limit (its cgroup); here it
   * would size it from the whole machine, so the limit is passed as {@code -XX:MaxRAM}, before the
   * container's own options in the same variable.
   */
  private static String jvmMemory(Container container) {
    if (container.getResources() == null || container.getResources().getLimits() == null) {
      return null;
    }
    Quantity memory = container.getResources().getLimits().get("memory");
    return memory == null ? null : "-XX:MaxRAM=" + Quantity.getAmountInBytes(memory).toBigInteger();
  }
}
