package dev.slipstream.bench.host;

import dev.slipstream.bench.core.ChildProtocol;
import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.cluster.ClusterSettings;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.transport.RealtimeServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The runtime under test in its own JVM, started through its public API
 * ({@link RealtimeRuntime#start}), so the benchmark can read the JVM's own memory counters.
 * Arguments are {@code key=value}: host, port, database, user, password, slot, publications; with
 * {@code tenant}, {@code namespace}, {@code pod}, {@code listen} (the pod's own loopback address, for its
 * clients and its relay) and {@code relayPort} it is one pod of a tenant (Lease, relay; the API server
 * from {@code KUBECONFIG}), as {@code dev.slipstream.runtime.Main} makes it from the SLIPSTREAM_ variables.
 * Commands: {@code measure} (memory after GC), {@code stats} (subscriptions, slow clients closed),
 * {@code marker <text> <timeout s>} (the {@link System#nanoTime} at which the database message
 * {@code <text>} was dispatched, waiting for it), {@code jfr-start <file>} and {@code jfr-stop} (a
 * flight recording, "profile" settings, of the measured part only).
 */
public final class RuntimeHost {

  private RuntimeHost() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    // Reconnects while the slot does not exist yet are quick (the decode scenario creates it late).
    ReplicationSettings replication = new ReplicationSettings(a.get("host"), Integer.parseInt(a.get("port")),
        a.get("database"), a.get("user"), a.get("password"), "disable", a.get("slot"),
        Arrays.asList(a.get("publications").split(",")), ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT,
        Files.createTempDirectory("slipstream-bench-spill"), Duration.ofSeconds(10), Duration.ofMillis(100));
    RealtimeServer.Settings server = new RealtimeServer.Settings(a.getOrDefault("listen", "127.0.0.1"), 0,
        Long.parseLong(a.getOrDefault("clientBufferBytes", Integer.toString(1 << 20))), 1 << 20,
        Duration.ofSeconds(15));
    // No auth (the load generator sends no token) and the tenant defaults, except the join rate: 15,000 clients
    // joining at the default 500 joins/s would make connecting, not the figure measured, the slow part.
    TenantLimits defaults = TenantLimits.DEFAULTS;
    TenantLimits limits = new TenantLimits(Math.max(defaults.maxClients(), 1_000_000), defaults.maxChannelsPerClient(),
        Integer.parseInt(a.getOrDefault("maxJoinsPerSecond", "1000000")),
        // The broadcast scenario offers more client messages than the default allows in a second.
        Integer.getInteger("maxEventsPerSecond", defaults.maxEventsPerSecond()),
        defaults.maxPayloadBytes());
    ClusterSettings cluster = a.containsKey("tenant") ? new ClusterSettings(a.get("tenant"), a.get("namespace"),
        a.get("pod"), a.get("listen"), ClusterSettings.defaultLease(a.get("tenant")), Integer.parseInt(a.get("relayPort")),
        Duration.ofSeconds(Long.parseLong(a.getOrDefault("leaseSeconds", "5"))), Duration.ofSeconds(5)) : null;
    RuntimeSettings settings = new RuntimeSettings(replication, server, 10_000, AuthSettings.disabled(),
        AccessPolicy.NONE, limits, cluster, RuntimeSettings.DEFAULT_DRAIN_WINDOW);
    try (RealtimeRuntime runtime = RealtimeRuntime.start(settings)) {
      // pg_logical_emit_message(true, 'bench', <text>) marks a point in the stream: everything before it
      // has been dispatched when it arrives. System.nanoTime is CLOCK_MONOTONIC, comparable across processes.
      java.util.Map<String, CompletableFuture<Long>> markers = new ConcurrentHashMap<>();
      runtime.fanOut().onDatabaseMessage(m -> {
        long now = System.nanoTime();
        markers.computeIfAbsent(new String(m.content(), StandardCharsets.UTF_8), k -> new CompletableFuture<>())
            .complete(now);
      });
      jdk.jfr.Recording[] recording = new jdk.jfr.Recording[1];
      ChildProtocol.serve(ChildProtocol.object().put("port", runtime.port()).put("pid", ProcessHandle.current().pid()),
          command -> switch (command) {
            case "measure" -> MemoryProbe.measure();
            case "histogram" -> MemoryProbe.histogram();
            case "stats" -> ChildProtocol.object()
                .put("subscriptions", runtime.fanOut().index().size())
                // A pod that reads the slot is its tenant's leader (or the runtime runs alone); a follower has no source.
                .put("reads_slot", runtime.source() != null)
                .put("connects", runtime.source() == null ? 0 : runtime.source().connects())
                .put("slow_clients_closed", runtime.connectionMetrics().slowClientsClosed());
            case "jfr-stop" -> {
              try {
                recording[0].stop();
                recording[0].close();
                yield ChildProtocol.object().put("stopped", true);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }
            default -> {
              if (command.startsWith("jfr-start ")) {
                try {
                  recording[0] = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                  recording[0].setDestination(java.nio.file.Path.of(command.substring("jfr-start ".length())));
                  recording[0].start();
                  yield ChildProtocol.object().put("started", true);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
              if (command.startsWith("marker ")) {
                String[] parts = command.split(" ");
                try {
                  long at = markers.computeIfAbsent(parts[1], k -> new CompletableFuture<>())
                      .get(Long.parseLong(parts[2]), TimeUnit.SECONDS);
                  yield ChildProtocol.object().put("nanos", at);
                } catch (Exception e) {
                  throw new IllegalStateException("marker " + parts[1] + " not seen: " + e);
                }
              }
              throw new IllegalArgumentException("unknown command " + command);
            }
          });
    }
    System.exit(0);
  }
}
