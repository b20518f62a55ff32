package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One container of a pod as a local process: started from its {@link Launch}, probed, restarted
 * after it exits (per the pod's restart policy, after a back-off of 1 s doubling up to 20 s; the
 * kubelet's starts at 10 s, too slow for tests), stopped with SIGTERM and, after the grace period,
 * SIGKILL. Its output (stdout and stderr, every restart) is appended to one log file. Used by its
 * pod's worker thread only.
 */
final class ContainerRun {

  /** What to run: computed when the container (re)starts, so it sees the ConfigMaps and Secrets of that moment. */
  record Launch(List<String> command, Map<String, String> imageEnv, Map<String, String> env, Path workingDirectory) {
  }

  interface Launcher {
    Launch launch(Container container, Map<Integer, Integer> ports) throws ContainerConfigException;
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ContainerRun.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);
  /** A container that ran this long before exiting starts over at the shortest back-off. */
  private static final Duration BACKOFF_RESET = Duration.ofMinutes(1);
  /** For an image that names no variables of its own: what a local command needs, where programs and Java are. */
  private static final List<String> HOST_VARIABLES = List.of("PATH", "HOME", "LANG", "JAVA_HOME", "TMPDIR", "USER");

  private final Container spec;
  private final String podIp;
  private final Path log;
  private final Map<Integer, Integer> ports = new HashMap<>();
  private Process process;
  private Instant startedAt;
  private long startedNanos;
  private int restarts;
  private int backoffStep;
  /** System.nanoTime() may be negative: every time here is compared with it, never with zero. */
  private long startAtNanos = System.nanoTime();
  private String waitingReason = "ContainerCreating";
  private String waitingMessage;
  private ContainerState lastState;
  private ContainerState finalState;
  private ContainerProbe startup;
  private ContainerProbe readiness;
  private ContainerProbe liveness;

  ContainerRun(Container spec, String podIp, Path log) {
    this.spec = spec;
    this.podIp = podIp;
    this.log = log;
  }

  String name() {
    return spec.getName();
  }

  Path log() {
    return log;
  }

  Process process() {
    return process;
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  boolean ready() {
    return running() && started() && readiness.passing();
  }

  boolean started() {
    return running() && startup.passing();
  }

  /** Nothing more will run: it exited and the restart policy does not restart it. */
  boolean finished() {
    return finalState != null;
  }

  /** Starts the process when it is not running and its back-off is over; true when the status changed. */
  boolean startIfDue(long now, Launcher launcher) {
    if (process != null || finished() || now < startAtNanos) {
      return false;
    }
    Launch launch;
    try {
      launch = launcher.launch(spec, ports);
    } catch (ContainerConfigException e) {
      boolean changed = !e.reason().equals(waitingReason) || !e.getMessage().equals(waitingMessage);
      waitingReason = e.reason();
      waitingMessage = e.getMessage();
      startAtNanos = now + Duration.ofSeconds(2).toNanos();
      return changed;
    }
    ProcessBuilder builder = new ProcessBuilder(launch.command()).directory(launch.workingDirectory().toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = builder.environment();
    Map<String, String> host = new HashMap<>(env);
    env.clear();
    if (launch.imageEnv().isEmpty()) {
      HOST_VARIABLES.forEach(name -> {
        if (host.get(name) != null) {
          env.put(name, host.get(name));
        }
      });
    }
    env.putAll(launch.imageEnv());
    env.putAll(launch.env());
    try {
      process = builder.start();
    } catch (IOException e) {
      waitingReason = "RunContainerError";
      waitingMessage = "cannot run " + launch.command().getFirst() + ": " + e.getMessage();
      startAtNanos = now + backoff();
      return true;
    }
    startedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    startedNanos = System.nanoTime();
    waitingReason = null;
    waitingMessage = null;
    startup = new ContainerProbe(spec.getStartupProbe(), true, podIp, this::port, startedNanos);
    readiness = new ContainerProbe(spec.getReadinessProbe(), true, podIp, this::port, startedNanos);
    liveness = new ContainerProbe(spec.getLivenessProbe(), true, podIp, this::port, startedNanos).startingPassing();
    return true;
  }

  /**
   * Notices an exit: records it and schedules the restart the policy asks for; true when it exited.
   */
  boolean reapIfExited(String restartPolicy) {
    if (process == null || process.isAlive()) {
      return false;
    }
    int exit = process.exitValue();
    ContainerState terminated = new ContainerStateBuilder().withNewTerminated().withExitCode(exit)
        .withReason(exit == 0 ? "Completed" : "Error").withStartedAt(startedAt.toString())
        .withFinishedAt(PodStatusReport.now()).withContainerID(containerId()).endTerminated().build();
    boolean ranLong = System.nanoTime() - startedNanos > BACKOFF_RESET.toNanos();
    process = null;
    boolean restart = "Always".equals(restartPolicy) || restartPolicy == null
        || "OnFailure".equals(restartPolicy) && exit != 0;
    if (!restart) {
      finalState = terminated;
      return true;
    }
    lastState = terminated;
    restarts++;
    if (ranLong) {
      backoffStep = 0;
    }
    long delay = backoff();
    startAtNanos = System.nanoTime() + delay;
    waitingReason = "CrashLoopBackOff";
    waitingMessage = "back-off " + Duration.ofNanos(delay).toSeconds() + "s restarting failed container="
        + spec.getName();
    return true;
  }

  /** Runs the probes that are due; a liveness or startup probe failed for good stops the process (it restarts). */
  boolean probe(long now, Duration grace) {
    if (!running()) {
      return false;
    }
    if (!startup.passing()) {
      boolean changed = startup.runIfDue(now);
      if (startup.failedForGood()) {
        LOG.info("Container {} failed its startup probe ({}); restarting it", spec.getName(), startup.lastFailure());
        stop(grace);
      }
      return changed;
    }
    boolean changed = readiness.runIfDue(now);
    liveness.runIfDue(now);
    if (!liveness.passing()) {
      LOG.info("Container {} failed its liveness probe ({}); restarting it", spec.getName(), liveness.lastFailure());
      stop(grace);
      return true;
    }
    return changed;
  }

  /** When this container next needs attention: a probe or a restart. */
  long nextNanos() {
    if (process == null) {
      return finished() ? Long.MAX_VALUE : startAtNanos;
    }
    if (!startup.passing()) {
      return startup.nextNanos();
    }
    return Math.min(readiness.nextNanos(), liveness.nextNanos());
  }

  /** SIGTERM, then SIGKILL (and the same to anything it started) once {@code grace} is over; waits for the exit. */
  void stop(Duration grace) {
    terminate();
    awaitExit(System.nanoTime() + grace.toNanos());
  }

  /** SIGTERM, as the container runtime sends it to the container's first process. */
  void terminate() {
    if (running()) {
      process.destroy();
    }
  }

  /** Waits for the process to exit until {@code deadlineNanos}, then SIGKILLs it. */
  void awaitExit(long deadlineNanos) {
    Process running = process;
    if (running == null) {
      return;
    }
    try {
      if (!running.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        kill(running);
      }
    } catch (InterruptedException e) {
      kill(running);
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL now: a pod whose object is gone, or a node going down. */
  void kill() {
    if (process != null) {
      kill(process);
    }
  }

  private static void kill(Process running) {
    running.descendants().forEach(ProcessHandle::destroyForcibly);
    running.destroyForcibly();
    try {
      running.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  ContainerStatus status(String image) {
    ContainerState state;
    if (running()) {
      state = new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt.toString()).endRunning().build();
    } else if (finalState != null) {
      state = finalState;
    } else {
      state = new ContainerStateBuilder().withNewWaiting().withReason(waitingReason == null ? "ContainerCreating"
          : waitingReason).withMessage(waitingMessage).endWaiting().build();
    }
    return new ContainerStatusBuilder().withName(spec.getName()).withImage(image)
        .withImageID("local://" + LocalImages.repository(image)).withContainerID(running() ? containerId() : null)
        .withReady(ready()).withStarted(started()).withRestartCount(restarts).withState(state)
        .withLastState(lastState == null ? new ContainerState() : lastState).build();
  }

  private String containerId() {
    return process == null ? null : "local://" + process.pid();
  }

  private long backoff() {
    long delay = Math.min(MAX_BACKOFF.toNanos(), Duration.ofSeconds(1L << Math.min(backoffStep, 5)).toNanos());
    backoffStep++;
    return delay;
  }

  /** Where a container port is reachable: the port itself, or the free port the agent gave the program in its place. */
  int port(IntOrString port) {
    int number;
    if (port.getIntVal() != null) {
      number = port.getIntVal();
    } else {
      number = spec.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
          .map(ContainerPort::getContainerPort).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("container " + spec.getName() + " has no port named "
              + port.getStrVal()));
    }
    return ports.getOrDefault(number, number);
  }

  /** A port no process on this machine listens on, on any address. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("no free port", e);
    }
  }
}
