package dev.slipstream.runtime.testing;

import dev.slipstream.testing.Distribution;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code dev.slipstream.runtime.Main} as a real separate JVM, started with the test JVM's class
 * path (or through the distribution's start script) and the given {@code SLIPSTREAM_*} environment,
 * its stdout and stderr appended to a log file (several runs of one test share the file, each headed
 * by a banner line).
 *
 * <p>{@link #stop()} sends SIGTERM (the runtime's shutdown hook runs), {@link #kill()} SIGKILL
 * (nothing runs). Every process still alive when the test JVM exits is killed by a shutdown hook,
 * so a failed or aborted test leaves nothing behind.
 */
public final class RuntimeProcess implements AutoCloseable {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "kill-runtime-processes"));
  }

  private final Process process;
  private final Path log;
  private final String name;

  private RuntimeProcess(Process process, Path log, String name) {
    this.process = process;
    this.log = log;
    this.name = name;
  }

  /**
   * The environment of a runtime streaming {@code slot} of {@code publication} from the embedded
   * server, listening on 127.0.0.1:{@code port}; callers add what their test is about.
   */
  public static Map<String, String> environment(dev.slipstream.testing.postgres.TestPostgres postgres, String slot,
      String publication, int port, Path spillDir) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("SLIPSTREAM_DB_HOST", "127.0.0.1");
    env.put("SLIPSTREAM_DB_PORT", String.valueOf(postgres.port()));
    env.put("SLIPSTREAM_DB_NAME", postgres.database());
    env.put("SLIPSTREAM_DB_USER", postgres.user());
    env.put("SLIPSTREAM_DB_PASSWORD", postgres.password());
    env.put("SLIPSTREAM_DB_SSLMODE", "disable");
    env.put("SLIPSTREAM_SLOT", slot);
    env.put("SLIPSTREAM_PUBLICATIONS", publication);
    env.put("SLIPSTREAM_HOST", "127.0.0.1");
    env.put("SLIPSTREAM_PORT", String.valueOf(port));
    env.put("SLIPSTREAM_SPILL_DIR", spillDir.toAbsolutePath().toString());
    // A stopped runtime asks its clients to reconnect within this window; tests about draining set their own.
    env.put("SLIPSTREAM_DRAIN_WINDOW", "1s");
    return env;
  }

  /**
   * Starts the runtime. Any {@code SLIPSTREAM_*} variable of the test JVM's own environment is
   * removed first, so only {@code env} configures it.
   */
  public static RuntimeProcess start(String name, Map<String, String> env, Path log) {
    String classPath = classPath();
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
        "-cp", classPath,
        "dev.slipstream.runtime.Main");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(key -> key.startsWith("SLIPSTREAM_"));
    builder.environment().putAll(env);
    return launch(name, "class path of " + classPath.split(File.pathSeparator).length + " entries", builder, log);
  }

  /**
   * Starts the runtime as its container image does: the distribution's start script, from the
   * distribution's directory, with nothing in its environment but {@code env} and what
   * {@link Distribution#processBuilder} puts there ({@code HOME} is the log's directory).
   */
  public static RuntimeProcess startDistribution(String name, Distribution distribution, Map<String, String> env,
      Path log) {
    return launch(name, "start script " + distribution.startScript(),
        distribution.processBuilder(env, log.toAbsolutePath().getParent()), log);
  }

  /** Starts {@code builder}, its command and environment set, with its output appended to {@code log}. */
  private static RuntimeProcess launch(String name, String what, ProcessBuilder builder, Path log) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      String banner = "===== " + name + " starting at " + Instant.now() + ", " + what + " =====";
      Files.writeString(log, System.lineSeparator() + banner + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      builder.redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process process = builder.start();
      LIVE.add(process);
      process.onExit().thenRun(() -> LIVE.remove(process));
      return new RuntimeProcess(process, log, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the runtime process " + name, e);
    }
  }

  /**
   * The test JVM's class path. Surefire and Failsafe may run tests from a manifest-only jar whose
   * {@code Class-Path} lists the real entries; such a jar works as a class path for the child too,
   * but the plain list is preferred when the plugin exposes it.
   */
  private static String classPath() {
    String testClassPath = System.getProperty("surefire.test.class.path");
    return testClassPath != null && !testClassPath.isBlank() ? testClassPath : System.getProperty("java.class.path");
  }

  /** A port on 127.0.0.1 that nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code; only once the process has exited. */
  public int exitValue() {
    return process.exitValue();
  }

  /** SIGTERM, then waits for the process to exit; returns its exit code. */
  public int stop(Duration timeout) {
    process.destroy();
    return awaitExit(timeout, "SIGTERM");
  }

  /** Waits, sending no signal, for a process that ends by itself (say, on a configuration error); returns its exit code. */
  public int awaitExit(Duration timeout) {
    return awaitExit(timeout, "its start");
  }

  /** SIGKILL, then waits for the process to be gone; returns its exit code. */
  public int kill(Duration timeout) {
    process.destroyForcibly();
    return awaitExit(timeout, "SIGKILL");
  }

  private int awaitExit(Duration timeout, String signal) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(name + " (pid " + process.pid() + ") did not exit within " + timeout + " of "
            + signal + "\n" + logTail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + name + " to exit", e);
    }
  }

  /** The last lines of the log file (all runs of the test), for assertion messages. */
  public String logTail() {
    return logTail(log, 60);
  }

  public static String logTail(Path log, int lines) {
    try {
      if (!Files.exists(log)) {
        return "(no runtime log at " + log.toAbsolutePath() + ")";
      }
      List<String> all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return "---- last " + Math.min(lines, all.size()) + " lines of " + log.toAbsolutePath() + " ----\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n---- end of log ----";
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log.toAbsolutePath() + ": " + e + ")";
    }
  }

  /** Kills the process if it still runs (for {@code @AfterEach}); never throws. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
