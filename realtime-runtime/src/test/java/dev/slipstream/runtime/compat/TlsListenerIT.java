package dev.slipstream.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.testing.postgres.TestPostgres;
import dev.slipstream.testing.tls.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runtime's client port serving TLS with a certificate from files (what the operator mounts
 * from {@code spec.runtime.tls.secretRef}), a CA made for the test: the unmodified realtime-js over
 * {@code wss://} with Node trusting the CA ({@code NODE_EXTRA_CA_CERTS}), SSE over {@code https://}
 * with the JDK's client, and what a port that speaks only TLS does with a client that speaks plain
 * HTTP, one that never finishes the handshake, and one that does not trust the certificate.
 */
class TlsListenerIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
  private static final Path OUT = Path.of("target", "tls-listener");
  private static final TestCertificates.Authority CA = TestCertificates.authority("slipstream test runtime CA");

  private static NodeSuite suite;
  private static RuntimeProcess runtime;
  private static int port;
  private static Path tls;
  private static SSLContext trustingTheCa;

  @BeforeAll
  static void startRuntimeServingTls() throws Exception {
    Files.createDirectories(OUT);
    suite = new NodeSuite(NodeSuite.sourceDirectory(), Path.of("target", "node"));
    System.out.println("[tls listener] " + suite.prepare());
    postgres.execute(Files.readString(suite.workDirectory().resolve("schema.sql"), StandardCharsets.UTF_8),
        "SELECT pg_create_logical_replication_slot('compat', 'pgoutput')");

    tls = CA.issue("localhost", "localhost", "127.0.0.1").writeTo(Files.createTempDirectory("slipstream-runtime-tls-"));
    trustingTheCa = TestCertificates.trusting(CA);
    port = RuntimeProcess.freePort();
    Map<String, String> env = RuntimeProcess.environment(postgres, "compat", "compat", port, OUT.resolve("spill"));
    env.put("SLIPSTREAM_TLS_CERT_FILE", tls.resolve("tls.crt").toString());
    env.put("SLIPSTREAM_TLS_KEY_FILE", tls.resolve("tls.key").toString());
    env.put("SLIPSTREAM_HANDSHAKE_TIMEOUT", HANDSHAKE_TIMEOUT.toSeconds() + "s");
    Path log = OUT.resolve("runtime.log");
    Files.deleteIfExists(log);
    runtime = RuntimeProcess.start("runtime-tls", env, log);
    try (HttpClient http = https()) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
        assertThat(runtime.isAlive()).as("runtime alive\n" + runtime.logTail()).isTrue();
        try {
          return http.send(get("/readyz"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
          return false;
        }
      });
    }
  }

  @AfterAll
  static void stopRuntime() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void realtimeJsOverWss() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SLIPSTREAM_REALTIME_URL", "wss://localhost:" + port + "/realtime/v1");
    env.put("SLIPSTREAM_VSN", "2.0.0");
    env.put("NODE_EXTRA_CA_CERTS", tls.resolve("ca.crt").toAbsolutePath().toString());
    env.put("PGHOST", "127.0.0.1");
    env.put("PGPORT", String.valueOf(postgres.port()));
    env.put("PGUSER", postgres.user());
    env.put("PGPASSWORD", postgres.password());
    env.put("PGDATABASE", postgres.database());
    NodeSuite.Result result = suite.run(env, OUT.resolve("node.log"), Duration.ofMinutes(5),
        "{postgres-changes,channels}.test.mjs");

    System.out.println(result.output());
    assertThat(result.exitCode()).as("node --test over wss://; failed: %s\n%s\n%s", result.failedTests(),
        NodeSuite.tail(result.output(), 80, OUT.resolve("node.log").toString()), runtime.logTail()).isZero();
    assertThat(result.output()).containsPattern("(?m)^ℹ pass [1-9]");
  }

  @Test
  void sseOverHttps() throws Exception {
    try (HttpClient http = https()) {
      CompletableFuture<HttpResponse<InputStream>> response = http.sendAsync(
          get("/realtime/v1/sse?schema=public&table=compat_keyed&event=INSERT"), HttpResponse.BodyHandlers.ofInputStream());
      HttpResponse<InputStream> stream = response.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.uri().getScheme()).isEqualTo("https");
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        CompletableFuture<String> change = CompletableFuture.supplyAsync(() -> firstDataLine(lines));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
          postgres.execute("INSERT INTO compat_keyed (run, body) VALUES ('sse-over-https', 'hello')");
          return change.isDone();
        });
        assertThat(change.get()).contains("\"table\":\"compat_keyed\"").contains("sse-over-https");
      }
    }
  }

  @Test
  void aPlainHttpClientIsRefusedWithoutAnAnswerAndTheRuntimeCarriesOn() throws Exception {
    long errorsBefore = metric("slipstream_client_errors_total");
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = plain.getInputStream().readAllBytes();
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).as("no plain-text answer").doesNotContain("HTTP/");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("slipstream_client_errors_total") > errorsBefore);
    assertThat(runtime.logTail()).contains("Closing the connection from").contains("not an SSL/TLS record")
        .doesNotContain("\tat io.netty");
    try (HttpClient http = https()) {
      assertThat(http.send(get("/readyz"), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aClientThatNeverFinishesTheHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
    long timeoutsBefore = metric("slipstream_connections_closed_total{reason=\"handshake_timeout\"}");
    try (Socket stalled = new Socket()) {
      stalled.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      stalled.setSoTimeout(30_000);
      // The first bytes of a TLS record header, then nothing.
      stalled.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
      long started = System.nanoTime();
      assertThat(stalled.getInputStream().readAllBytes().length).isGreaterThanOrEqualTo(0);
      Duration open = Duration.ofNanos(System.nanoTime() - started);
      System.out.println("TLS stalled handshake closed after " + open.toMillis() + " ms (handshakeTimeout "
          + HANDSHAKE_TIMEOUT.toMillis() + " ms)");
      assertThat(open).isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT.minusMillis(300))
          .isLessThan(HANDSHAKE_TIMEOUT.plusSeconds(5));
    }
    await().atMost(Duration.ofSeconds(10)).until(
        () -> metric("slipstream_connections_closed_total{reason=\"handshake_timeout\"}") > timeoutsBefore);
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateFailsItsHandshake() {
    try (HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> untrusting.send(get("/readyz"), HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  private static String firstDataLine(BufferedReader lines) {
    try {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.startsWith("data: ") && line.contains("compat_keyed")) {
          return line;
        }
      }
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long metric(String series) throws Exception {
    try (HttpClient http = https()) {
      String text = http.send(get("/metrics"), HttpResponse.BodyHandlers.ofString()).body();
      return text.lines()
          .filter(line -> line.startsWith(series + " ") || series.indexOf('{') < 0 && line.startsWith(series + "{"))
          .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
          .sum();
    }
  }

  private static HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(Duration.ofSeconds(10))
        .GET().build();
  }

  private static HttpClient https() {
    return HttpClient.newBuilder().sslContext(trustingTheCa).connectTimeout(Duration.ofSeconds(5)).build();
  }

}
