package dev.slipstream.bench.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark starts for a server under test (the runtime, a baseline server), with this
 * JVM's class path. It is driven over stdin/stdout: one command a line in, one JSON answer a line
 * out, prefixed {@value #ANSWER} (see {@link ChildProtocol}); every other output line (its log)
 * goes to a log file. Children still alive when this JVM exits are killed.
 */
public final class ChildJvm implements AutoCloseable {

  public static final String ANSWER = "BENCH> ";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-children"));
  }

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Path log;
  private volatile JsonNode ready;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    Thread reader = new Thread(this::pump, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with {@code jvmOptions} and {@code args}; its log goes to {@code log}. */
  public static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) {
    return start(name, jvmOptions, mainClass, args, java.util.Map.of(), log);
  }

  /** Also with environment variables ({@code KUBECONFIG} for pods of a tenant), set after the SLIPSTREAM_ ones are removed. */
  public static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args,
      java.util.Map<String, String> env, Path log) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("--enable-native-access=ALL-UNNAMED");
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(classPath());
      command.add(mainClass);
      command.addAll(args);
      Files.writeString(log, "===== " + name + ": " + String.join(" ", command.subList(0, command.size()))
          .replace(classPath(), "<class path>") + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().keySet().removeIf(key -> key.startsWith("SLIPSTREAM_"));
      builder.environment().putAll(env);
      Process process = builder.start();
      LIVE.add(process);
      process.onExit().thenRun(() -> LIVE.remove(process));
      return new ChildJvm(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** This JVM's class path (under Surefire/Failsafe the plain list they expose). */
  public static String classPath() {
    String test = System.getProperty("surefire.test.class.path");
    return test != null && !test.isBlank() ? test : System.getProperty("java.class.path");
  }

  public long pid() {
    return process.pid();
  }

  private void pump() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)); Writer logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(ANSWER)) {
          answers.add(line.substring(ANSWER.length()));
        } else {
          logWriter.write(line);
          logWriter.write('\n');
          logWriter.flush();
        }
      }
    } catch (IOException e) {
      // the child is gone
    } finally {
      answers.add("{\"error\":\"process exited\"}");
    }
  }

  /** Waits for the child's first answer (it prints one when it is ready). */
  public JsonNode awaitReady(Duration timeout) {
    ready = next(timeout, "ready");
    return ready;
  }

  /** The ready answer (the child's port, pid). */
  public JsonNode ready() {
    return ready;
  }

  public int port() {
    return ready.get("port").asInt();
  }

  /** Sends one command and waits for its answer. */
  public synchronized JsonNode call(String command, Duration timeout) {
    try {
      stdin.write(command);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new IllegalStateException(name + " is gone (command " + command + ")\n" + logTail(), e);
    }
    return next(timeout, command);
  }

  private JsonNode next(Duration timeout, String what) {
    try {
      String answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (answer == null) {
        throw new IllegalStateException(name + " did not answer '" + what + "' within " + timeout + "\n" + logTail());
      }
      JsonNode node = JSON.readTree(answer);
      if (node.has("error")) {
        throw new IllegalStateException(name + " failed '" + what + "': " + node.get("error").asText() + "\n"
            + logTail());
      }
      return node;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "---- " + log + " ----\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40),
          lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  /** Asks it to exit, then kills it if it has not within 20 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      stdin.write("quit\n");
      stdin.flush();
    } catch (IOException e) {
      // already closing
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
