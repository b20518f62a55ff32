package dev.slipstream.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The operator's probes and metrics on a management port: {@code /healthz} (the process runs),
 * {@code /readyz} (the operator started and every informer is healthy; a standby replica waiting
 * for the leader Lease is not ready), {@code /metrics} (Prometheus: JOSDK's reconcile counts,
 * errors and durations per controller, the JVM, and Slipstream's own gauges).
 * On its own small thread pool, away from the reconcilers.
 */
final class ManagementServer implements AutoCloseable {

  private final HttpServer server;

  ManagementServer(int port, Operator operator, PrometheusMeterRegistry registry) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on management port " + port, e);
    }
    server.setExecutor(Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().name("management").daemon().unstarted(r)));
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      var info = operator.getRuntimeInfo();
      boolean ready = info.isStarted() && info.allEventSourcesAreHealthy();
      respond(exchange, ready ? 200 : 503, "text/plain", ready ? "ready\n"
          : "not ready: " + (info.isStarted() ? "unhealthy event sources " + info.unhealthyEventSources().keySet()
              : "not started (waiting for the leader Lease?)") + "\n");
    });
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
