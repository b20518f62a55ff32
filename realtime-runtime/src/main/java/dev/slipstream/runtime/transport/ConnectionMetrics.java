package dev.slipstream.runtime.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the transport counts about connections, as Prometheus metrics: connections the server
 * closed and why ({@code slipstream_connections_closed_total{reason}}), slow clients
 * ({@code slipstream_slow_clients_closed_total}), connections refused at accept because the
 * process is out of file descriptors to give, and errors clients caused
 * ({@code slipstream_client_errors_total}).
 */
public final class ConnectionMetrics {

  /** The reasons the transport itself closes connections for; protocols add their own. */
  public static final String SLOW_CLIENT = "slow_client";
  public static final String MEMORY_PRESSURE = "memory_pressure";
  public static final String HANDSHAKE_TIMEOUT = "handshake_timeout";
  public static final String IDLE_TIMEOUT = "idle_timeout";
  /** The pod is going away and asked the client to reconnect (to another pod). */
  public static final String DRAINING = "draining";

  private final MeterRegistry registry;
  private final Counter slowClients;
  private final Counter refused;
  private final Counter clientErrors;
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();

  public ConnectionMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.slowClients = Counter.builder("slipstream.slow.clients.closed")
        .description("Clients disconnected because they fell more than their byte budget behind").register(registry);
    this.refused = Counter.builder("slipstream.connections.refused")
        .description("Connections closed at accept: the process has no file descriptors to spare").register(registry);
    this.clientErrors = Counter.builder("slipstream.client.errors")
        .description("Protocol violations and malformed requests from clients").register(registry);
    for (String reason : new String[] {SLOW_CLIENT, MEMORY_PRESSURE, HANDSHAKE_TIMEOUT, IDLE_TIMEOUT}) {
      counter(reason);
    }
  }

  /** The server closed a connection, for {@code reason}. */
  public void closed(String reason) {
    if (reason.equals(SLOW_CLIENT) || reason.equals(MEMORY_PRESSURE)) {
      slowClients.increment();
    }
    counter(reason).increment();
  }

  public double closedCount(String reason) {
    return counter(reason).count();
  }

  public double slowClientsClosed() {
    return slowClients.count();
  }

  void refused() {
    refused.increment();
  }

  void clientError() {
    clientErrors.increment();
  }

  private Counter counter(String reason) {
    return closed.computeIfAbsent(reason, r -> Counter.builder("slipstream.connections.closed")
        .description("Connections the server closed, by reason").tag("reason", r).register(registry));
  }
}
