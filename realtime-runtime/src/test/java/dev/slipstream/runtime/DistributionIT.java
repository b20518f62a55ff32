package dev.slipstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.runtime.config.Setting;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.Distribution;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime's runnable distribution, {@code realtime-runtime/target/slipstream-runtime}, as the
 * container image runs it (docs/images.md): its start script from the distribution's directory, with
 * an environment of {@code JAVA_HOME}, {@code PATH}, {@code HOME} and the {@code SLIPSTREAM_*}
 * settings only. Proves the script (finds Java, builds the class path from {@code lib/}, passes
 * signals through), the distribution's contents (every runtime dependency, Netty's native epoll for
 * both image platforms) and a quiet start: log lines only, no JDK or Logback noise.
 */
class DistributionIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Path OUT = Path.of("target", "distribution-it");
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** A line of the text log format: {@code 2026-01-01T10:00:00.000Z INFO  [main] logger - message}. */
  private static final String LOG_LINE = "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* (TRACE|DEBUG|INFO |WARN |ERROR) .*";

  private final Distribution distribution = RepositoryLayout.runtimeDistribution();

  @Test
  void theStartScriptStreamsACommittedRowToAClientAndStopsOnSigterm() throws Exception {
    postgres.execute("CREATE TABLE parcels (id bigint PRIMARY KEY, label text)",
        "CREATE PUBLICATION dist_parcels FOR TABLE parcels",
        "SELECT pg_create_logical_replication_slot('dist_slot', 'pgoutput')");
    int port = RuntimeProcess.freePort();
    Path log = OUT.resolve("runtime.log");
    Files.deleteIfExists(log);
    Map<String, String> env = RuntimeProcess.environment(postgres, "dist_slot", "dist_parcels", port,
        OUT.resolve("spill"));
    try (RuntimeProcess runtime = RuntimeProcess.startDistribution("slipstream-runtime", distribution, env, log)) {
      awaitReady(runtime, port);
      try (SseTestClient client = SseTestClient.open(URI.create("http://127.0.0.1:" + port
          + "/realtime/v1/sse?table=parcels"), null)) {
        await().atMost(WAIT).until(() -> client.status == 200);
        postgres.execute("INSERT INTO parcels VALUES (1, 'through the start script')");
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.changes())
            .anySatisfy(event -> assertThat(event.data()).contains("through the start script")));
      }

      assertThat(runtime.stop(WAIT)).as("exit code after SIGTERM (128 + 15: the JVM ran its shutdown hooks)\n%s",
          runtime.logTail()).isEqualTo(143);
    }
    List<String> lines = output(log);
    assertThat(lines).as("what the runtime printed").allMatch(line -> line.matches(LOG_LINE), "is a log line")
        .anyMatch(line -> line.contains("Realtime server listening on") && line.endsWith("(epoll, plain HTTP)"))
        .anyMatch(line -> line.contains("Stopping"));
  }

  @Test
  void aMissingSettingStopsItWithOneLineNamingTheVariable() throws Exception {
    Path log = OUT.resolve("missing-setting.log");
    Files.deleteIfExists(log);
    Map<String, String> env = RuntimeProcess.environment(postgres, "dist_slot", "dist_parcels", RuntimeProcess.freePort(),
        OUT.resolve("spill"));
    env.remove("SLIPSTREAM_DB_HOST");
    try (RuntimeProcess runtime = RuntimeProcess.startDistribution("slipstream-runtime", distribution, env, log)) {
      assertThat(runtime.awaitExit(WAIT)).as(runtime.logTail()).isEqualTo(2);
    }
    assertThat(output(log)).containsExactly("slipstream-runtime: SLIPSTREAM_DB_HOST must be set");
  }

  @Test
  void helpListsEverySetting() throws Exception {
    Result help = run(List.of(distribution.startScript().toString(), "--help"));
    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output()).startsWith("Usage: slipstream-runtime")
        .contains(RuntimeConfig.ALL.stream().map(Setting::name).toList());

    Result wrong = run(List.of(distribution.startScript().toString(), "--port=4000"));
    assertThat(wrong.exitCode()).isEqualTo(2);
    assertThat(wrong.output()).startsWith("slipstream-runtime: unexpected argument '--port=4000'");
  }

  @Test
  void theScriptSaysWhichJavaItCannotUse() throws Exception {
    Path fakeJdk = OUT.resolve("jdk-17").toAbsolutePath();
    Files.createDirectories(fakeJdk.resolve("bin"));
    Path java = Files.writeString(fakeJdk.resolve("bin/java"), "#!/bin/sh\necho 'the old java ran'\n");
    java.toFile().setExecutable(true);
    Files.writeString(fakeJdk.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"17.0.2\"\n");

    Result old = run(List.of(distribution.startScript().toString()), Map.of("JAVA_HOME", fakeJdk.toString()));
    assertThat(old.exitCode()).isEqualTo(1);
    assertThat(old.output()).isEqualTo("slipstream-runtime: " + java + " is Java 17; Java 21 or newer is needed "
        + "(set JAVA_HOME to one)\n");

    Result missing = run(List.of(distribution.startScript().toString()), Map.of("JAVA_HOME", "/no/such/jdk"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.output()).isEqualTo("slipstream-runtime: JAVA_HOME is /no/such/jdk, but /no/such/jdk/bin/java "
        + "is not an executable file\n");
  }

  /** The jar's manifest names every neighbour in lib/, so that {@code java -jar} works without the script. */
  @Test
  void theJarRunsOnItsOwnFromLib() throws Exception {
    Path jar = onlyJar("slipstream-realtime-runtime-");
    List<String> neighbours;
    try (Stream<Path> files = Files.list(distribution.lib())) {
      neighbours = files.map(file -> file.getFileName().toString()).filter(name -> !name.equals(jar.getFileName()
          .toString())).sorted().toList();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      var attributes = file.getManifest().getMainAttributes();
      assertThat(attributes.getValue("Main-Class")).isEqualTo(Main.class.getName());
      assertThat(Arrays.stream(attributes.getValue("Class-Path").split(" ")).sorted().toList())
          .containsExactlyElementsOf(neighbours);
    }
    assertThat(neighbours).as("Netty's native epoll for linux/amd64 and linux/arm64")
        .anyMatch(name -> name.startsWith("netty-transport-native-epoll-") && name.endsWith("-linux-x86_64.jar"))
        .anyMatch(name -> name.startsWith("netty-transport-native-epoll-") && name.endsWith("-linux-aarch_64.jar"));

    Result help = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar.toString(), "--help"));
    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output()).startsWith("Usage: slipstream-runtime");
  }

  private Path onlyJar(String prefix) throws IOException {
    try (Stream<Path> files = Files.list(distribution.lib())) {
      List<Path> jars = files.filter(file -> file.getFileName().toString().startsWith(prefix)).toList();
      assertThat(jars).as("lib/" + prefix + "*.jar").hasSize(1);
      return jars.getFirst();
    }
  }

  /** The log without RuntimeProcess's banner lines. */
  private static List<String> output(Path log) throws IOException {
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isEmpty() && !line.startsWith("===== ")).toList();
  }

  private record Result(int exitCode, String output) {
  }

  private Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, Map.of());
  }

  /** A short command, run as {@link Distribution#processBuilder} runs the start script, with {@code env}. */
  private Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder builder = distribution.processBuilder(env, OUT).command(command).redirectErrorStream(true);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within " + WAIT + ":\n" + output);
    }
    return new Result(process.exitValue(), output);
  }

  private static void awaitReady(RuntimeProcess runtime, int port) {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
      await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
        assertThat(runtime.isAlive()).as("the runtime is running\n%s", runtime.logTail()).isTrue();
        try {
          return http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
          return false; // not listening yet
        }
      });
    }
  }
}
