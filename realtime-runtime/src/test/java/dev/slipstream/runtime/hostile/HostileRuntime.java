package dev.slipstream.runtime.hostile;

import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A runtime process ({@link RuntimeProcess}) for the hostile-client suite: its own slot, port and
 * log file under {@code target/hostile-client-it/}, started and waited for until it streams
 * ({@code /readyz}) and has read the publications' catalog (a join of a table outside them is
 * refused), so every check a join makes is in force.
 */
final class HostileRuntime implements AutoCloseable {

  static final Path LOG_DIR = Path.of("target", "hostile-client-it");
  private static final Duration START_WAIT = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int port;
  final Path log;
  final RuntimeProcess process;

  private HostileRuntime(String name, int port, Path log, RuntimeProcess process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /**
   * Creates slot {@code hostile_<name>} and starts a runtime on it with {@code env} on top of the
   * fixture's connection settings; returns once it is ready and its catalog is read.
   *
   * @param credentials {user, password} of the role the runtime logs in as
   * @param probeToken an apikey the catalog probe connects with
   */
  static HostileRuntime start(String name, TestPostgres postgres, String publication, String[] credentials,
      Map<String, String> env, String probeToken) {
    String slot = "hostile_" + name.replace('-', '_');
    postgres.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    return start(name, slot, postgres, publication, credentials, env, probeToken);
  }

  /** As above, on an existing {@code slot}: the pods of one tenant share theirs. */
  static HostileRuntime start(String name, String slot, TestPostgres postgres, String publication,
      String[] credentials, Map<String, String> env, String probeToken) {
    int port = RuntimeProcess.freePort();
    Path log = LOG_DIR.resolve(name + ".log");
    try {
      Files.createDirectories(LOG_DIR);
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> all = RuntimeProcess.environment(postgres, slot, publication, port,
        LOG_DIR.resolve("spill-" + name));
    all.put("SLIPSTREAM_DB_USER", credentials[0]);
    all.put("SLIPSTREAM_DB_PASSWORD", credentials[1]);
    all.putAll(env);
    long started = System.nanoTime();
    HostileRuntime runtime = new HostileRuntime(name, port, log, RuntimeProcess.start(name, all, log));
    try {
      runtime.awaitReady();
      runtime.awaitCatalog(probeToken);
    } catch (RuntimeException | Error e) {
      runtime.close();
      throw e;
    }
    System.out.printf("[hostile] runtime %s (pid %d, port %d) ready with its catalog read in %d ms%n", name,
        runtime.pid(), port, (System.nanoTime() - started) / 1_000_000);
    return runtime;
  }

  private void awaitReady() {
    try {
      await().atMost(START_WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready\n" + logTail());
        }
        return status("/readyz") == 200;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(name + " not ready within " + START_WAIT + "\n" + logTail(), e);
    }
  }

  /**
   * Joins a table outside the publications until the join is refused: before the catalog's first
   * read every join is accepted unchecked.
   */
  private void awaitCatalog(String token) {
    int[] attempt = {0};
    try {
      await().atMost(START_WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
        try (RawWebSocket probe = RawWebSocket.connect(port, websocketPath(token))) {
          String ref = "probe-" + attempt[0]++;
          probe.sendText(Phoenix.join(ref, "realtime:catalog-probe", Phoenix.postgresChanges(
              List.of(Phoenix.binding("*", "public", "nope", null)))));
          return "error".equals(Phoenix.awaitReply(probe, ref, Duration.ofSeconds(5), "the catalog probe").status());
        } catch (IOException | AssertionError e) {
          return false; // not answering yet: try again
        }
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(name + ": a join of table nope was still accepted after " + START_WAIT
          + " (the publications' catalog was never read)\n" + logTail(), e);
    }
  }

  static String websocketPath(String token) {
    return "/realtime/v1/websocket?vsn=2.0.0&apikey=" + token;
  }

  long pid() {
    return process.pid();
  }

  long rss() {
    return ProcessMemory.rssBytes(process.pid());
  }

  /** GET {@code path}: its status, or -1 when there is no answer within 5 s. */
  int status(String path) {
    return status(path, Duration.ofSeconds(5));
  }

  int status(String path, Duration timeout) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A scrape of {@code /metrics}; a failed attempt (a pooled connection the server closed) is retried. */
  Metrics metrics() {
    Exception last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return Metrics.scrape(port, Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      } catch (Exception e) {
        last = e;
      }
    }
    throw new AssertionError(name + ": GET /metrics failed (" + last + "); alive: " + process.isAlive() + "\n"
        + logTail(), last);
  }

  List<String> logLines() {
    return logLines(log);
  }

  static List<String> logLines(Path log) {
    try {
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList()
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String logTail() {
    return RuntimeProcess.logTail(log, 40);
  }

  @Override
  public void close() {
    process.close();
  }
}
