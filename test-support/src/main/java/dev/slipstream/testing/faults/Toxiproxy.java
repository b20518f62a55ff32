package dev.slipstream.testing.faults;

import dev.slipstream.testing.Processes;
import dev.slipstream.testing.RepositoryLayout;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Toxiproxy server (built from its Go module by {@code bin/toxiproxy-server}) on a free
 * loopback port, driven over its HTTP API: TCP proxies between a test's process and a server,
 * which a test cuts, resets or slows down ({@link ToxiproxyProxy}). One per test class:
 *
 * <pre>{@code
 * try (Toxiproxy toxiproxy = Toxiproxy.start()) {
 *   ToxiproxyProxy db = toxiproxy.proxy("postgres", "127.0.0.1:" + postgres.port());
 *   db.disable(); // every connection closed, new ones refused
 * }
 * }</pre>
 *
 * <p>The binary is looked up where the script puts it; when it is missing this runs the script
 * (it needs Go and a module proxy, about 10 s of build when Go's caches are warm).
 */
public final class Toxiproxy implements AutoCloseable {

  /** Keep in step with tools/toxiproxy/go.mod. */
  public static final String VERSION = "2.12.0";
  private static final Duration START_WAIT = Duration.ofSeconds(30);
  /** Removing a toxic waits for what it holds back to drain (a bandwidth limit: many seconds). */
  private static final Duration REQUEST_WAIT = Duration.ofSeconds(60);
  private static final Duration BUILD_WAIT = Duration.ofMinutes(10);
  private static final Pattern LISTEN = Pattern.compile("\"listen\"\\s*:\\s*\"([^\"]+)\"");

  private final Process process;
  private final URI api;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Toxiproxy(Process process, URI api, Path log) {
    this.process = process;
    this.api = api;
    this.log = log;
  }

  /** Starts a server on 127.0.0.1 and a free port, its output in a temporary log file. */
  public static Toxiproxy start() {
    Path binary = binary();
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      try {
        Path log = Files.createTempFile("toxiproxy-", ".log");
        Process process = new ProcessBuilder(binary.toString(), "-host", "127.0.0.1", "-port", String.valueOf(port))
            .redirectErrorStream(true).redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Toxiproxy server = new Toxiproxy(process, URI.create("http://127.0.0.1:" + port), log);
        try {
          Awaitility.await().atMost(START_WAIT).pollInterval(Duration.ofMillis(50))
              .until(() -> !process.isAlive() || server.answers());
        } catch (ConditionTimeoutException e) {
          server.close();
          throw new IllegalStateException("toxiproxy-server did not answer on port " + port + " within " + START_WAIT
              + "\n" + server.logText(), e);
        }
        if (process.isAlive()) {
          return server;
        }
        // Another process took the port between freePort() and the bind: try another one.
        if (attempt == 3) {
          throw new IllegalStateException("toxiproxy-server exited with " + process.exitValue() + "\n"
              + server.logText());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + binary, e);
      }
    }
  }

  /**
   * Where {@code bin/toxiproxy-server} puts the binary; runs the script first when it is not there.
   */
  public static Path binary() {
    String cache = System.getenv().getOrDefault("SLIPSTREAM_CACHE",
        Path.of(System.getProperty("user.home"), ".cache", "slipstream").toString());
    Path binary = Path.of(cache, "toxiproxy", VERSION + "-linux-" + arch(), "toxiproxy-server");
    if (Files.isExecutable(binary)) {
      return binary;
    }
    Path script = RepositoryLayout.root().resolve("bin/toxiproxy-server");
    try {
      Process build = new ProcessBuilder(script.toString()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!build.waitFor(BUILD_WAIT.toSeconds(), TimeUnit.SECONDS) || build.exitValue() != 0
          || !Files.isExecutable(binary)) {
        build.destroyForcibly();
        throw new IllegalStateException("bin/toxiproxy-server did not build " + binary + ":\n" + output);
      }
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building toxiproxy-server", e);
    }
  }

  /**
   * A new proxy named {@code name} from a free loopback port to {@code upstream}
   * ({@code host:port}), enabled.
   */
  public ToxiproxyProxy proxy(String name, String upstream) {
    String body = request("POST", "/proxies", "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\""
        + upstream + "\",\"enabled\":true}", 201);
    Matcher listen = LISTEN.matcher(body);
    if (!listen.find()) {
      throw new IllegalStateException("no listen address in Toxiproxy's answer: " + body);
    }
    String address = listen.group(1);
    return new ToxiproxyProxy(this, name, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
  }

  /** The server's version, as its API reports it. */
  public String version() {
    return request("GET", "/version", null, 200).trim();
  }

  /** Sends one API request and returns the answer's body; any other status than {@code expected} fails. */
  String request(String method, String path, String json, int expected) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(api.resolve(path)).timeout(REQUEST_WAIT)
        .header("Content-Type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    try {
      HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new IllegalStateException("Toxiproxy " + method + " " + path + " " + (json == null ? "" : json)
            + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("Toxiproxy " + method + " " + path + " failed\n" + logText(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private boolean answers() {
    try {
      return http.send(HttpRequest.newBuilder(api.resolve("/version")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The server's own log, for failure messages. */
  public String logText() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no Toxiproxy log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    Processes.stop(process);
    http.close();
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a temporary file left behind is harmless
    }
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64";
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
