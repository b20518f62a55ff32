package dev.slipstream.runtime.hostile;

import static dev.slipstream.runtime.hostile.HostileRuntime.websocketPath;
import static dev.slipstream.runtime.hostile.Phoenix.binding;
import static dev.slipstream.runtime.hostile.Phoenix.heartbeat;
import static dev.slipstream.runtime.hostile.Phoenix.join;
import static dev.slipstream.runtime.hostile.Phoenix.object;
import static dev.slipstream.runtime.hostile.Phoenix.postgresChanges;
import static dev.slipstream.runtime.hostile.Phoenix.presence;
import static dev.slipstream.runtime.hostile.ProcessMemory.MB;
import static dev.slipstream.runtime.hostile.ProcessMemory.mb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.auth.TestTokens;
import dev.slipstream.runtime.relay.RelayPeer;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.runtime.testing.TenantPods;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile clients against a real runtime process (a child JVM running {@code Main}) on a real
 * PostgreSQL, over real sockets, with the anon-role key any visitor of a public app has: what a
 * client can do to the runtime and to the other clients by sending what realtime-js never sends,
 * by saying nothing, by never reading, and by flooding. Each test names the behaviour the runtime
 * must have; the numbers it measures (RSS, heap, bystander latency) are printed for
 * docs/reliability.md.
 *
 * <p>Runtimes: {@code main} serves the tests that leave it healthy; an attack that can wreck a
 * process (a frozen event loop, unbounded memory) gets a runtime of its own that is killed after
 * it, and the timeout test starts one with short timeouts. The last test reads every runtime's
 * log for the tokens, JWT secret and database password the suite used. Logs are kept under
 * {@code realtime-runtime/target/hostile-client-it/}.
 *
 * <p>Across pods: the attacks whose path crosses the relay (rows, presences and broadcasts of other
 * pods) run again against a follower, {@code pod-follower}, of a leader {@code pod-leader} (two
 * runtimes of one tenant on a real API server, started by the first test that needs them), and raw
 * TCP peers ({@link RelayPeer}) attack the leader's relay port while the follower's client counts
 * every row.
 *
 * <p>The flooder of the broadcast-flood test joins again whenever its channel is closed, as a
 * client that insists would: a runtime that answers a flood by closing channels then keeps being
 * flooded, which is what makes the damage to the bystander certain rather than a matter of timing.
 *
 * <p>Run alone with {@code ./mvnw -B -ntp -pl realtime-runtime -am verify -Dit.test=HostileClientIT
 * -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.failIfNoSpecifiedTests=false}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileClientIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  /** For the pods of one tenant (their Lease and status entries): used by the tests across pods only. */
  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final String PUBLICATION = "hostile";
  private static final String JWT_SECRET = "hostile-suite-jwt-secret-" + HexFormat.of().formatHex(random(16));
  private static final String DB_ROLE = "hostile_runtime";
  private static final String DB_PASSWORD = "Hostile-Db-Pw-" + HexFormat.of().formatHex(random(12));
  /** Every token the suite minted, and what for: none may ever appear in a runtime's log. */
  private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();
  private static final List<HostileRuntime> RUNTIMES = new CopyOnWriteArrayList<>();
  private static final AtomicLong ROW_IDS = new AtomicLong(1_000);

  private static final int EVENTS_PER_CLIENT = 100;
  private static final int EVENT_BURST = 2 * EVENTS_PER_CLIENT;
  private static final long RSS_ATTACK_BOUND = 400 * MB;
  private static final long HEAP_BOUND = 384 * MB;
  /** At least one per event loop of the runtime (Netty's default: 2 per core). */
  private static final int BYSTANDERS = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

  private static final String TENANT = "hostile";

  private static HostileRuntime main;
  private static Pods pods;

  @BeforeAll
  static void databaseAndMainRuntime() {
    postgres.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, room text, note text)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE orders");
    // The runtime logs in as a role of its own with a password, so that the password can be looked for in its logs.
    postgres.requirePassword(DB_ROLE, DB_PASSWORD);
    main = startRuntime("main", Map.of());
  }

  @AfterAll
  static void stopRuntimes() {
    RUNTIMES.forEach(HostileRuntime::close);
  }

  /** The limits of the fixed runtime (the current one ignores the variables it does not know). */
  private static Map<String, String> limits() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SLIPSTREAM_JWT_SECRET", JWT_SECRET);
    env.put("SLIPSTREAM_MAX_PAYLOAD_BYTES", "1Mi");
    env.put("SLIPSTREAM_CLIENT_BUFFER_BYTES", "1Mi");
    env.put("SLIPSTREAM_MAX_EVENTS_PER_SECOND", "2000");
    env.put("SLIPSTREAM_MAX_JOINS_PER_SECOND", "500");
    env.put("SLIPSTREAM_MAX_EVENTS_PER_SECOND_PER_CLIENT", String.valueOf(EVENTS_PER_CLIENT));
    env.put("SLIPSTREAM_MAX_JOINS_PER_SECOND_PER_CLIENT", "10");
    env.put("SLIPSTREAM_CLIENT_INBOUND_BYTES_PER_SECOND", "1Mi");
    env.put("SLIPSTREAM_MAX_BINDINGS_PER_CHANNEL", "100");
    env.put("SLIPSTREAM_MAX_BINDINGS_PER_CLIENT", "500");
    env.put("SLIPSTREAM_MAX_FILTER_LENGTH", "4096");
    env.put("SLIPSTREAM_MAX_FILTER_VALUES", "100");
    env.put("SLIPSTREAM_MAX_TOPIC_LENGTH", "256");
    env.put("SLIPSTREAM_MAX_PRESENCE_PAYLOAD_BYTES", "1Mi");
    env.put("SLIPSTREAM_MAX_PRESENCES_PER_CLIENT", "10");
    env.put("SLIPSTREAM_HANDSHAKE_TIMEOUT", "10s");
    env.put("SLIPSTREAM_JOIN_TIMEOUT", "30s");
    env.put("SLIPSTREAM_IDLE_TIMEOUT", "60s");
    return env;
  }

  private static HostileRuntime startRuntime(String name, Map<String, String> overrides) {
    Map<String, String> env = limits();
    env.putAll(overrides);
    HostileRuntime runtime = HostileRuntime.start(name, postgres, PUBLICATION, new String[] {DB_ROLE, DB_PASSWORD},
        env, token("the catalog probe of runtime " + name));
    RUNTIMES.add(runtime);
    return runtime;
  }

  /** An anon-role key, as public as Supabase's anon key, signed with the suite's secret. */
  private static String token(String purpose) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("role", "anon");
    claims.put("iss", "hostile-client-it");
    claims.put("jti", HexFormat.of().formatHex(random(8)));
    claims.put("exp", Instant.now().plusSeconds(7200).getEpochSecond());
    String token = TestTokens.hs256(JWT_SECRET, claims);
    TOKENS.put(token, purpose);
    return token;
  }

  private static RawWebSocket connect(HostileRuntime runtime, String token) throws IOException {
    return RawWebSocket.connect(runtime.port, websocketPath(token));
  }

  /** Joins and waits for an ok reply (setup, not the finding under test). */
  private static void joinOk(RawWebSocket ws, String ref, String topic, ObjectNode config) {
    ws.sendText(join(ref, topic, config));
    Phoenix.Timed reply = Phoenix.awaitReply(ws, ref, Duration.ofSeconds(15), "the join of " + topic);
    assertThat(reply.status()).as("setup: the join of %s is accepted: %s", topic, reply.message()).isEqualTo("ok");
  }

  // ---- 1. a 13-byte filter ---------------------------------------------------------------------

  @Test
  @Order(1)
  void aThirteenByteFilterValueIsRefusedAtOnceAndNeverFreezesAnEventLoop() throws Exception {
    HostileRuntime runtime = startRuntime("filter-freeze", Map.of());
    String token = token("the 13-byte filter test");
    List<RawWebSocket> bystanders = new ArrayList<>();
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try (runtime) {
      // Opened before the attacker, so that the runtime's event loops (2 per core, assigned round-robin) all
      // have some, whichever the attacker lands on.
      for (int i = 0; i < BYSTANDERS; i++) {
        RawWebSocket bystander = connect(runtime, token);
        bystanders.add(bystander);
        bystander.sendText(heartbeat("warm-" + i));
        Phoenix.awaitReply(bystander, "warm-" + i, Duration.ofSeconds(10), "setup: bystander " + i + "'s heartbeat");
      }
      RawWebSocket attacker = connect(runtime, token);
      long rssBefore = runtime.rss();
      Map<String, Long> heartbeatSent = new ConcurrentHashMap<>();
      AtomicLong healthzMillis = new AtomicLong(-2);
      String joinRef = "attack";
      long start;
      try (ProcessMemory rss = ProcessMemory.sample(runtime.pid(), 100)) {
        start = System.nanoTime();
        attacker.sendText(join(joinRef, "realtime:freeze", postgresChanges(List.of(
            binding("*", "public", "orders", "id=eq.1e100000000")))));
        for (int round = 0; round < 4; round++) {
          int r = round;
          pacer.schedule(() -> {
            for (int i = 0; i < bystanders.size(); i++) {
              String ref = "hb-" + r + "-" + i;
              heartbeatSent.put(i + "/" + ref, System.nanoTime());
              bystanders.get(i).sendText(heartbeat(ref));
            }
          }, 500L * round, TimeUnit.MILLISECONDS);
        }
        pacer.schedule(() -> {
          long t = System.nanoTime();
          int status = runtime.status("/healthz", Duration.ofMillis(1500));
          healthzMillis.set(status == 200 ? (System.nanoTime() - t) / 1_000_000 : -1);
        }, 300, TimeUnit.MILLISECONDS);
        within(Duration.ofSeconds(4), Duration.ofMillis(50), () -> Phoenix.reply(attacker, joinRef).isPresent()
            && heartbeatSent.size() == 4 * BYSTANDERS
            && heartbeatSent.keySet().stream().allMatch(key -> replyOf(bystanders, key) != null)
            && healthzMillis.get() != -2);
        long peak = rss.peakBytes();
        Optional<Phoenix.Timed> reply = Phoenix.reply(attacker, joinRef);
        long replyMillis = reply.map(t -> (t.nanos() - start) / 1_000_000).orElse(-1L);
        List<Long> heartbeatMillis = new ArrayList<>();
        List<String> late = new ArrayList<>();
        heartbeatSent.forEach((key, sentAt) -> {
          Long at = replyOf(bystanders, key);
          long millis = at == null ? -1 : (at - sentAt) / 1_000_000;
          heartbeatMillis.add(millis);
          if (millis < 0 || millis > 1000) {
            late.add(key + (millis < 0 ? " (no reply within the 4 s window)" : " (" + millis + " ms)"));
          }
        });
        System.out.printf("[hostile] filter id=eq.1e100000000: join reply after %s; bystander heartbeats %s;"
                + " /healthz %s; RSS before %s, peak %s (+%s)%n",
            replyMillis < 0 ? "none within 4 s" : replyMillis + " ms", percentiles(heartbeatMillis),
            healthzMillis.get() < 0 ? "no answer within 1.5 s" : healthzMillis.get() + " ms", mb(rssBefore), mb(peak),
            mb(peak - rssBefore));

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(replyMillis).as("the join with filter id=eq.1e100000000 (id is bigint) is answered within 2 s;"
            + " it was answered after %s", replyMillis < 0 ? "more than 4 s" : replyMillis + " ms")
            .isBetween(0L, 2000L);
        reply.ifPresent(r -> {
          soft.assertThat(r.status()).as("the join reply's status: %s", r.message()).isEqualTo("error");
          soft.assertThat(r.reason()).as("the join reply's reason").contains("invalid input syntax for type bigint");
        });
        soft.assertThat(late).as("heartbeats of the %d bystanders (on every event loop) answered within 1 s while the"
            + " filter is checked; %d of %d were not", BYSTANDERS, late.size(), 4 * BYSTANDERS).isEmpty();
        soft.assertThat(healthzMillis.get()).as("GET /healthz answers within 1 s during the join").isBetween(0L, 1000L);
        soft.assertThat(peak - rssBefore).as("RSS growth of the runtime (before %s, peak %s)", mb(rssBefore), mb(peak))
            .isLessThan(150 * MB);
        soft.assertAll();
      }
    } finally {
      pacer.shutdownNow();
      bystanders.forEach(RawWebSocket::close);
    }
  }

  /** When the heartbeat reply for "index/ref" arrived, or null. */
  private static Long replyOf(List<RawWebSocket> sockets, String key) {
    int slash = key.indexOf('/');
    return Phoenix.reply(sockets.get(Integer.parseInt(key.substring(0, slash))), key.substring(slash + 1))
        .map(Phoenix.Timed::nanos).orElse(null);
  }

  // ---- 2. a client that never reads -------------------------------------------------------------

  @Test
  @Order(2)
  void aClientThatNeverReadsWhileRejoiningABigPresenceIsClosedAndItsMemoryReleased() throws Exception {
    try (HostileRuntime runtime = startRuntime("never-reads-presence", Map.of())) {
      neverReadingRejoinerOfABigPresence(runtime, runtime, "the never-reading presence test");
    }
  }

  /**
   * The attack on {@code runtime}, with the 900 KB presence tracked on {@code trackerPod}: the
   * same pod, or the leader while {@code runtime} is a follower (the presence then reaches it
   * through the relay, and so do the bystander's rows).
   */
  private static void neverReadingRejoinerOfABigPresence(HostileRuntime trackerPod, HostileRuntime runtime,
      String purpose) throws Exception {
    String token = token(purpose);
    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      RawWebSocket tracker = connect(trackerPod, token);
      toClose.add(tracker);
      joinOk(tracker, "1", "realtime:big", presence("a"));
      ObjectNode big = object().put("blob", "x".repeat(900_000));
      tracker.sendText(Phoenix.track("1", "2", "realtime:big", big));
      Phoenix.Timed tracked = Phoenix.awaitReply(tracker, "2", Duration.ofSeconds(15), "setup: the 900 KB track");
      assertThat(tracked.status()).as("setup: a 900 KB presence track is accepted: %s", tracked.message())
          .isEqualTo("ok");
      require(Duration.ofSeconds(30), () -> presenceStateSize(runtime, token) > 900_000,
          "setup: a join on " + runtime.name + " gets the 900 KB presence tracked on " + trackerPod.name);

      RawWebSocket watcher = connect(runtime, token);
      toClose.add(watcher);
      joinOk(watcher, "1", "realtime:orders-watch",
          postgresChanges(List.of(binding("INSERT", "public", "orders", null))));
      long warmUp = ROW_IDS.incrementAndGet();
      postgres.execute("INSERT INTO orders (id, room, note) VALUES (" + warmUp + ", 'warm', 'up')");
      require(Duration.ofSeconds(30), () -> rowsReceived(watcher).containsKey(warmUp),
          "setup: the bystander receives a row inserted before the attack\n" + watcher.describe());

      long rssBefore = runtime.rss();
      long trackerRssBefore = trackerPod.rss();
      RawWebSocket reader = RawWebSocket.connect(runtime.port, websocketPath(token),
          RawWebSocket.options().receiveBuffer(4096).neverRead());
      toClose.add(reader);
      AttackLoop attack;
      RowWriter writer;
      boolean closed;
      long attackMillis;
      try (ProcessMemory rss = ProcessMemory.sample(runtime.pid(), 200);
          ProcessMemory trackerRss = ProcessMemory.sample(trackerPod.pid(), 200)) {
        writer = RowWriter.start(postgres, ROW_IDS::incrementAndGet, "attack", 10);
        toClose.add(writer);
        attack = AttackLoop.start("rejoin", reader, n -> RawWebSocket.frame(true, 0x1,
            join(Long.toString(n), "realtime:big", presence("b")).getBytes(StandardCharsets.UTF_8), true), 1,
            Duration.ofSeconds(25));
        toClose.add(attack);
        closed = within(Duration.ofSeconds(20), Duration.ofMillis(250), () -> attack.failed()
            || metric(runtime, "slipstream_slow_clients_closed_total") >= 1);
        attackMillis = (System.nanoTime() - attack.startNanos) / 1_000_000;
        // At least 5 s of rows, for latencies worth quoting.
        within(Duration.ofSeconds(8), Duration.ofMillis(100), () -> writer.count() >= 50);
        writer.stop();
        attack.stop();
        reader.close();
        Map<Long, Long> committed = writer.committed();
        within(Duration.ofSeconds(5), Duration.ofMillis(100),
            () -> rowsReceived(watcher).keySet().containsAll(committed.keySet()));
        long peak = rss.peakBytes();
        Metrics after = Metrics.tryScrape(runtime.port, Duration.ofSeconds(5));
        long rssAfter = runtime.rss();

        Map<Long, Long> received = rowsReceived(watcher);
        List<Long> latencies = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        List<String> late = new ArrayList<>();
        committed.forEach((id, at) -> {
          Long got = received.get(id);
          if (got == null) {
            missing.add(id);
          } else {
            // A push may arrive a moment before the inserting client sees its commit return.
            long millis = Math.max(0, (got - at) / 1_000_000);
            latencies.add(millis);
            if (millis > 2000) {
              late.add(id + " (" + millis + " ms)");
            }
          }
        });
        double heap = after == null ? Double.NaN : after.sum("jvm_memory_used_bytes", "area", "heap");
        long trackerPeak = trackerRss.peakBytes();
        System.out.printf("[hostile] never-reading client on %s rejoining a 900 KB presence tracked on %s: %d joins"
                + " sent in %d ms, %s; RSS before %s, peak %s (+%s), after %s; heap %s; bystander got %d of %d rows,"
                + " latency %s; %s RSS before %s, peak %s (+%s)%n", runtime.name, trackerPod.name,
            attack.sent(), attackMillis, closed ? "closed after " + (attack.failed() ? attack.failedAfterMillis()
                + " ms (" + attack.failure() + ")" : "the slow-client metric counted it") : "NOT closed within 20 s",
            mb(rssBefore), mb(peak), mb(peak - rssBefore), mb(rssAfter), Double.isNaN(heap) ? "n/a" : mb((long) heap),
            received.size() - 1, committed.size(), percentiles(latencies), trackerPod.name, mb(trackerRssBefore),
            mb(trackerPeak), mb(trackerPeak - trackerRssBefore));

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(closed).as("the server closes the client that never reads within 20 s (it sent %d joins,"
            + " each answered with the 900 KB presence state)", attack.sent()).isTrue();
        soft.assertThat(after).as("GET /metrics answers after the attack (runtime alive: %s)",
            runtime.process.isAlive()).isNotNull();
        if (after != null) {
          soft.assertThat(after.sum("slipstream_slow_clients_closed_total"))
              .as("slipstream_slow_clients_closed_total").isGreaterThanOrEqualTo(1);
          soft.assertThat(after.sum("slipstream_connections_closed_total", "reason", "slow_client"))
              .as("slipstream_connections_closed_total{reason=\"slow_client\"}").isGreaterThanOrEqualTo(1);
          soft.assertThat(heap).as("heap used after the attack").isLessThan((double) HEAP_BOUND);
        }
        soft.assertThat(peak).as("peak RSS during the attack (before %s, peak %s)", mb(rssBefore), mb(peak))
            .isLessThanOrEqualTo(rssBefore + RSS_ATTACK_BOUND);
        soft.assertThat(trackerPeak).as("peak RSS of %s during the attack (before %s, peak %s)", trackerPod.name,
            mb(trackerRssBefore), mb(trackerPeak)).isLessThanOrEqualTo(trackerRssBefore + RSS_ATTACK_BOUND);
        soft.assertThat(missing).as("rows committed during the attack that the bystander never received").isEmpty();
        soft.assertThat(late).as("rows the bystander received more than 2 s after their commit").isEmpty();
        soft.assertAll();
      }
    } finally {
      closeAll(toClose);
    }
  }

  @Test
  @Order(3)
  void aClientThatNeverReadsWhileSendingHalfMegabyteTopicsIsClosedAndItsMemoryReleased() throws Exception {
    HostileRuntime runtime = startRuntime("never-reads-topics", Map.of());
    String token = token("the never-reading topic echo test");
    String topic = "realtime:" + "t".repeat(500_000);
    byte[] frame = RawWebSocket.frame(true, 0x1,
        ("[\"1\",\"1\",\"" + topic + "\",\"broadcast\",{}]").getBytes(StandardCharsets.UTF_8), true);
    try (runtime;
        RawWebSocket reader = RawWebSocket.connect(runtime.port, websocketPath(token),
            RawWebSocket.options().receiveBuffer(4096).neverRead())) {
      long rssBefore = runtime.rss();
      try (ProcessMemory rss = ProcessMemory.sample(runtime.pid(), 200);
          AttackLoop attack = AttackLoop.start("topics", reader, n -> frame, 1, Duration.ofSeconds(25))) {
        boolean closed = within(Duration.ofSeconds(20), Duration.ofMillis(250), () -> attack.failed()
            || metric(runtime, "slipstream_slow_clients_closed_total") >= 1);
        long attackMillis = (System.nanoTime() - attack.startNanos) / 1_000_000;
        attack.stop();
        long peak = rss.peakBytes();
        Metrics after = Metrics.tryScrape(runtime.port, Duration.ofSeconds(5));
        double heap = after == null ? Double.NaN : after.sum("jvm_memory_used_bytes", "area", "heap");
        System.out.printf("[hostile] never-reading client sending 500 KB topics (each echoed in the reply): %d sent"
                + " in %d ms, %s; RSS before %s, peak %s (+%s), after %s; heap %s%n",
            attack.sent(), attackMillis, closed ? "closed" : "NOT closed within 20 s", mb(rssBefore), mb(peak),
            mb(peak - rssBefore), mb(runtime.rss()), Double.isNaN(heap) ? "n/a" : mb((long) heap));

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(closed).as("the server closes the client that never reads within 20 s (it sent %d messages"
            + " of 500 KB to a topic it never joined)", attack.sent()).isTrue();
        soft.assertThat(peak).as("peak RSS during the attack (before %s, peak %s)", mb(rssBefore), mb(peak))
            .isLessThanOrEqualTo(rssBefore + RSS_ATTACK_BOUND);
        soft.assertThat(after).as("GET /metrics answers after the attack (runtime alive: %s)",
            runtime.process.isAlive()).isNotNull();
        if (after != null) {
          soft.assertThat(heap).as("heap used after the attack").isLessThan((double) HEAP_BOUND);
        }
        soft.assertAll();
      }
    }
  }

  /** Row id to the nanos its postgres_changes push arrived at. */
  private static Map<Long, Long> rowsReceived(RawWebSocket ws) {
    Map<Long, Long> rows = new LinkedHashMap<>();
    for (RawWebSocket.Message m : ws.messages()) {
      if (m.text().contains("\"postgres_changes\"")) {
        JsonNode node = Phoenix.parse(m.text());
        JsonNode id = node.path(4).path("data").path("record").path("id");
        if (!id.isMissingNode()) {
          rows.putIfAbsent(id.asLong(), m.nanos());
        }
      }
    }
    return rows;
  }

  // ---- 3. connections that say nothing ------------------------------------------------------------

  @Test
  @Order(4)
  void connectionsThatSayNothingAreClosedByTheHandshakeJoinAndIdleTimeouts() throws Exception {
    HostileRuntime runtime = startRuntime("timeouts", Map.of(
        "SLIPSTREAM_HANDSHAKE_TIMEOUT", "2s", "SLIPSTREAM_JOIN_TIMEOUT", "3s", "SLIPSTREAM_IDLE_TIMEOUT", "4s"));
    String token = token("the timeout test");
    List<SilentConnection> slowloris = new ArrayList<>();
    List<SilentConnection> silent = new ArrayList<>();
    List<RawWebSocket> neverJoined = new ArrayList<>();
    List<RawWebSocket> joinedSilent = new ArrayList<>();
    Map<RawWebSocket, Long> joinedAt = new ConcurrentHashMap<>();
    ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
    try (runtime; RawWebSocket good = connect(runtime, token)) {
      joinOk(good, "g", "realtime:good", Phoenix.config());
      AtomicInteger beat = new AtomicInteger();
      pacer.scheduleAtFixedRate(() -> good.sendText(heartbeat("beat-" + beat.incrementAndGet())), 1, 1,
          TimeUnit.SECONDS);

      byte[] request = ("GET " + websocketPath(token) + " HTTP/1.1\r\nHost: 127.0.0.1:" + runtime.port
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < 300; i++) {
        slowloris.add(SilentConnection.open(runtime.port));
      }
      AtomicInteger tick = new AtomicInteger();
      pacer.scheduleAtFixedRate(() -> {
        int k = tick.getAndIncrement();
        if (k < request.length) {
          slowloris.forEach(c -> c.send(request[k]));
        }
      }, 0, 500, TimeUnit.MILLISECONDS);
      for (int i = 0; i < 100; i++) {
        silent.add(SilentConnection.open(runtime.port));
      }
      for (int i = 0; i < 100; i++) {
        neverJoined.add(connect(runtime, token));
      }
      for (int i = 0; i < 20; i++) {
        RawWebSocket ws = connect(runtime, token);
        joinedSilent.add(ws);
        ws.sendText(join("j", "realtime:quiet-" + i, Phoenix.config()));
      }
      for (RawWebSocket ws : joinedSilent) {
        Phoenix.Timed reply = Phoenix.awaitReply(ws, "j", Duration.ofSeconds(10), "setup: a silent client's join");
        joinedAt.put(ws, reply.nanos());
      }
      System.out.printf("[hostile] timeouts: 300 slowloris, 100 silent, 100 never-joined, 20 joined-silent connections"
          + " open%n");

      long lastDeadline = Stream.of(
          slowloris.getLast().connectedNanos + ms(7000), silent.getLast().connectedNanos + ms(7000),
          neverJoined.getLast().connectedNanos + ms(8000),
          joinedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow() + ms(9000))
          .mapToLong(Long::longValue).max().orElseThrow();
      within(Duration.ofNanos(Math.max(0, lastDeadline - System.nanoTime()) + ms(1000)), Duration.ofMillis(200),
          () -> slowloris.stream().allMatch(SilentConnection::isEnded)
              && silent.stream().allMatch(SilentConnection::isEnded)
              && neverJoined.stream().noneMatch(RawWebSocket::isOpen)
              && joinedSilent.stream().noneMatch(RawWebSocket::isOpen));
      // The well-behaved client has been open at least 8 s by now, or is once this passes.
      within(Duration.ofSeconds(10), Duration.ofMillis(100), () -> System.nanoTime() - good.connectedNanos >= ms(8000));
      boolean goodOpen = good.isOpen();
      long goodReplies = IntStream.rangeClosed(1, beat.get()).filter(i -> Phoenix.reply(good, "beat-" + i).isPresent())
          .count();

      long slowlorisInTime = slowloris.stream().filter(c -> c.isEnded() && c.endedAfterMillis() <= 7000).count();
      long silentInTime = silent.stream().filter(c -> c.isEnded() && c.endedAfterMillis() <= 7000).count();
      long neverJoinedInTime = neverJoined.stream().filter(ws -> ws.closeCode.isDone() && ws.closeCode.join() == 4002
          && ws.closeFrameAfterNanos() <= ms(8000)).count();
      long joinedSilentInTime = joinedSilent.stream().filter(ws -> ws.closeCode.isDone() && ws.closeCode.join() == 4001
          && ws.closeFrameNanos() - joinedAt.get(ws) <= ms(9000)).count();
      Metrics metrics = runtime.metrics();
      double handshake = metrics.sum("slipstream_connections_closed_total", "reason", "handshake_timeout");
      double joinTimeout = metrics.sum("slipstream_connections_closed_total", "reason", "join_timeout");
      double idle = metrics.sum("slipstream_connections_closed_total", "reason", "idle_timeout");
      System.out.printf("[hostile] timeouts (handshake 2 s, join 3 s, idle 4 s): closed in time: slowloris %d/300,"
              + " silent %d/100, never-joined (4002) %d/100, joined-silent (4001) %d/20; closes counted:"
              + " handshake %.0f, join %.0f, idle %.0f; close codes seen by never-joined %s; well-behaved client"
              + " open %s with %d heartbeat replies%n", slowlorisInTime, silentInTime, neverJoinedInTime,
          joinedSilentInTime, handshake, joinTimeout, idle, closeCodes(neverJoined), goodOpen, goodReplies);

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(slowlorisInTime).as("slowloris connections (one byte of an upgrade every 500 ms) ended by the"
          + " server within the handshake timeout + 5 s").isEqualTo(300);
      soft.assertThat(silentInTime).as("silent TCP connections ended within the handshake timeout + 5 s")
          .isEqualTo(100);
      soft.assertThat(neverJoinedInTime).as("upgraded WebSockets that never join closed with 4002 within the join"
          + " timeout + 5 s").isEqualTo(100);
      soft.assertThat(joinedSilentInTime).as("joined WebSockets that then say nothing (no heartbeat) closed with 4001"
          + " within the idle timeout + 5 s").isEqualTo(20);
      soft.assertThat(handshake).as("slipstream_connections_closed_total{reason=\"handshake_timeout\"}")
          .isGreaterThanOrEqualTo(400);
      soft.assertThat(joinTimeout).as("slipstream_connections_closed_total{reason=\"join_timeout\"}")
          .isGreaterThanOrEqualTo(100);
      soft.assertThat(idle).as("slipstream_connections_closed_total{reason=\"idle_timeout\"}")
          .isGreaterThanOrEqualTo(20);
      soft.assertThat(goodOpen).as("a client that joined and sends a heartbeat every second is still open after 8 s;"
          + " %s", good.describe()).isTrue();
      soft.assertThat(goodReplies).as("its heartbeats are answered").isGreaterThanOrEqualTo(6);
      soft.assertAll();
    } finally {
      pacer.shutdownNow();
      slowloris.forEach(SilentConnection::close);
      silent.forEach(SilentConnection::close);
      neverJoined.forEach(RawWebSocket::close);
      joinedSilent.forEach(RawWebSocket::close);
    }
  }

  private static String closeCodes(List<RawWebSocket> sockets) {
    Map<String, Long> codes = sockets.stream().collect(Collectors.groupingBy(ws -> ws.closeCode.isDone()
        ? String.valueOf(ws.closeCode.join()) : ws.ended.isDone() ? "ended without close frame" : "open",
        java.util.TreeMap::new, Collectors.counting()));
    return codes.toString();
  }

  private static long ms(long millis) {
    return millis * 1_000_000;
  }

  // ---- 4. caps on bindings, filters, topics and presences ----------------------------------------

  private static List<ObjectNode> roomBindings(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> binding("*", "public", "orders", "room=neq." + prefix + i)).toList();
  }

  @Test
  @Order(10)
  void aJoinWithMoreThan100BindingsIsRefusedWithBindingLimitReached() throws Exception {
    try (RawWebSocket ws = connect(main, token("the bindings-per-channel test"))) {
      ws.sendText(join("1", "realtime:bindings-101", postgresChanges(roomBindings("r", 101))));
      Phoenix.Timed reply = Phoenix.awaitReply(ws, "1", Duration.ofSeconds(15), "a join with 101 bindings");
      assertThat(reply.status()).as("a join with 101 postgres_changes bindings is refused (maxBindingsPerChannel 100)")
          .isEqualTo("error");
      assertThat(reply.reason()).contains("BindingLimitReached");
      assertThat(main.metrics().sum("slipstream_limit_rejections_total", "limit", "maxBindingsPerChannel"))
          .as("slipstream_limit_rejections_total{limit=\"maxBindingsPerChannel\"}").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @Order(11)
  void aSocketsSixthJoinOf100BindingsIsRefusedWithBindingLimitReached() throws Exception {
    double before = main.metrics().sum("slipstream_subscriptions");
    try (RawWebSocket ws = connect(main, token("the bindings-per-client test"))) {
      List<Phoenix.Timed> replies = new ArrayList<>();
      for (int k = 1; k <= 6; k++) {
        String ref = String.valueOf(k);
        ws.sendText(join(ref, "realtime:bindings-client-" + k, postgresChanges(roomBindings("c" + k + "-", 100))));
        replies.add(Phoenix.awaitReply(ws, ref, Duration.ofSeconds(15), "join " + k + " of 100 bindings"));
      }
      double during = main.metrics().sum("slipstream_subscriptions");
      for (int k = 0; k < 5; k++) {
        assertThat(replies.get(k).status()).as("join %d of 100 bindings (%d in all on the socket) is accepted: %s",
            k + 1, (k + 1) * 100, replies.get(k).message()).isEqualTo("ok");
      }
      assertThat(replies.get(5).status()).as("the 6th join of 100 bindings (600 on one socket, maxBindingsPerClient"
          + " 500) is refused").isEqualTo("error");
      assertThat(replies.get(5).reason()).contains("BindingLimitReached");
      assertThat(during - before).as("slipstream_subscriptions added by the socket (before %s, with it %s)", before,
          during).isLessThanOrEqualTo(500);
      assertThat(main.metrics().sum("slipstream_limit_rejections_total", "limit", "maxBindingsPerClient"))
          .as("slipstream_limit_rejections_total{limit=\"maxBindingsPerClient\"}").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @Order(12)
  void aFilterWithMoreThan100InValuesIsRefusedAsAnInvalidFilter() throws Exception {
    String values = IntStream.range(0, 101).mapToObj(i -> "v" + i).collect(Collectors.joining(","));
    try (RawWebSocket ws = connect(main, token("the filter-values test"))) {
      ws.sendText(join("1", "realtime:in-101", postgresChanges(List.of(
          binding("*", "public", "orders", "room=in.(" + values + ")")))));
      Phoenix.Timed reply = Phoenix.awaitReply(ws, "1", Duration.ofSeconds(15), "a join with an in.() of 101 values");
      assertThat(reply.status()).as("a filter room=in.(...) of 101 values is refused (maxFilterValues 100)")
          .isEqualTo("error");
      assertThat(reply.reason()).contains("invalid filter");
      assertThat(main.metrics().sum("slipstream_limit_rejections_total", "limit", "maxFilterValues"))
          .as("slipstream_limit_rejections_total{limit=\"maxFilterValues\"}").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @Order(13)
  void aFilterLongerThan4096CharactersIsRefusedWithoutEchoingIt() throws Exception {
    String filter = "room=eq." + "x".repeat(4100);
    try (RawWebSocket ws = connect(main, token("the filter-length test"))) {
      ws.sendText(join("1", "realtime:long-filter",
          postgresChanges(List.of(binding("*", "public", "orders", filter)))));
      Phoenix.Timed reply = Phoenix.awaitReply(ws, "1", Duration.ofSeconds(15), "a join with a 4,108-character filter");
      assertThat(reply.status()).as("a filter of %d characters is refused (maxFilterLength 4096)", filter.length())
          .isEqualTo("error");
      assertThat(reply.reason()).contains("invalid filter");
      assertThat(reply.chars()).as("the reply does not echo the filter back: its frame is under 1 KB")
          .isLessThan(1024);
      assertThat(main.metrics().sum("slipstream_limit_rejections_total", "limit", "maxFilterLength"))
          .as("slipstream_limit_rejections_total{limit=\"maxFilterLength\"}").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @Order(14)
  void aTopicOf300CharactersIsRefusedWithTopicNameTooLong() throws Exception {
    String topic = "realtime:" + "t".repeat(300 - "realtime:".length());
    try (RawWebSocket ws = connect(main, token("the topic-length test"))) {
      ws.sendText(join("1", topic, Phoenix.config()));
      Phoenix.Timed reply = Phoenix.awaitReply(ws, "1", Duration.ofSeconds(15), "a join of a 300-character topic");
      assertThat(reply.status()).as("a join of a 300-character topic is refused (maxTopicLength 256)")
          .isEqualTo("error");
      assertThat(reply.reason()).contains("TopicNameTooLong");
      assertThat(main.metrics().sum("slipstream_limit_rejections_total", "limit", "maxTopicLength"))
          .as("slipstream_limit_rejections_total{limit=\"maxTopicLength\"}").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @Order(15)
  void theEleventhPresenceTrackedOnOneSocketIsRefusedWithPresenceLimitReached() throws Exception {
    try (RawWebSocket ws = connect(main, token("the presences-per-client test"))) {
      for (int k = 1; k <= 11; k++) {
        joinOk(ws, "j" + k, "realtime:presence-" + k, presence("key-" + k));
      }
      List<Phoenix.Timed> tracks = new ArrayList<>();
      for (int k = 1; k <= 11; k++) {
        ws.sendText(Phoenix.track("j" + k, "t" + k, "realtime:presence-" + k, object().put("k", k)));
        tracks.add(Phoenix.awaitReply(ws, "t" + k, Duration.ofSeconds(15), "track " + k));
      }
      for (int k = 0; k < 10; k++) {
        assertThat(tracks.get(k).status()).as("track %d is accepted: %s", k + 1, tracks.get(k).message())
            .isEqualTo("ok");
      }
      assertThat(tracks.get(10).status()).as("the 11th presence track of one socket is refused"
          + " (maxPresencesPerClient 10)").isEqualTo("error");
      assertThat(tracks.get(10).reason()).contains("PresenceLimitReached");
      assertThat(main.metrics().sum("slipstream_limit_rejections_total", "limit", "maxPresencesPerClient"))
          .as("slipstream_limit_rejections_total{limit=\"maxPresencesPerClient\"}").isGreaterThanOrEqualTo(1);
    }
  }

  // ---- 5. one client's flood -----------------------------------------------------------------------

  @Test
  @Order(20)
  void oneClientsBroadcastFloodIsThrottledAndNeverClosesOtherClientsChannels() throws Exception {
    broadcastFlood(main, main, main, "the broadcast flood test");
  }

  /**
   * A flooder on {@code flooderPod}, a client on its topic on {@code watcherPod}, a bystander
   * broadcasting on another topic on {@code bystanderPod}: one pod, or a follower's flood crossing
   * the relay to the leader.
   */
  private static void broadcastFlood(HostileRuntime flooderPod, HostileRuntime watcherPod,
      HostileRuntime bystanderPod, String purpose) throws Exception {
    String token = token(purpose);
    ExecutorService rejoiner = Executors.newSingleThreadExecutor();
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    AtomicReference<RawWebSocket> flooderRef = new AtomicReference<>();
    CompletableFuture<Void> flooderJoined = new CompletableFuture<>();
    AtomicInteger rejoins = new AtomicInteger();
    AtomicInteger refusals = new AtomicInteger();
    try (RawWebSocket watcher = connect(watcherPod, token); RawWebSocket bystander = connect(bystanderPod, token);
        RawWebSocket flooder = RawWebSocket.connect(flooderPod.port, websocketPath(token), RawWebSocket.options()
            .discardMessages().onText(text -> {
              if (!text.contains("\"realtime:flood\"")) {
                return;
              }
              if (text.contains("\"phx_reply\"") && text.contains("\"ok\"")) {
                flooderJoined.complete(null);
              } else if (text.contains("\"phx_reply\"") && text.contains("\"error\"")) {
                refusals.incrementAndGet();
              } else if (text.contains("\"phx_close\"")) {
                // What a client that insists does: join again, and keep flooding.
                rejoins.incrementAndGet();
                rejoiner.execute(() -> flooderRef.get().sendText(join("r" + rejoins.get(), "realtime:flood",
                    Phoenix.config())));
              }
            }))) {
      flooderRef.set(flooder);
      joinOk(watcher, "1", "realtime:flood", Phoenix.config());
      ObjectNode ackSelf = Phoenix.config();
      ackSelf.putObject("broadcast").put("self", true).put("ack", true);
      joinOk(bystander, "1", "realtime:calm", ackSelf);
      flooder.sendText(join("1", "realtime:flood", Phoenix.config()));
      flooderJoined.get(15, TimeUnit.SECONDS);

      byte[] batch = concat(IntStream.range(0, 50).mapToObj(i -> RawWebSocket.frame(true, 0x1,
          ("[\"1\",\"2\",\"realtime:flood\",\"broadcast\","
              + "{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":{\"n\":1}}]").getBytes(StandardCharsets.UTF_8),
          true)).toList());
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      long floodMillis;
      try (AttackLoop flood = AttackLoop.start("broadcasts", flooder, n -> batch, 50, Duration.ofSeconds(5))) {
        AtomicInteger next = new AtomicInteger();
        ScheduledFuture<?> calm = pacer.scheduleAtFixedRate(() -> {
          int i = next.getAndIncrement();
          if (i < 25) {
            sentAt.put("b" + i, System.nanoTime());
            bystander.sendText(Phoenix.broadcast("1", "b" + i, "realtime:calm", "calm", object().put("n", i)));
          }
        }, 0, 200, TimeUnit.MILLISECONDS);
        // The flooder's writes may block (a throttled socket is not read): stop it after its 5 s either way.
        within(Duration.ofSeconds(10), Duration.ofMillis(50), () -> next.get() >= 25
            && System.nanoTime() - flood.startNanos >= ms(5000));
        calm.cancel(false);
        flood.stop();
        floodMillis = (System.nanoTime() - flood.startNanos) / 1_000_000;
        System.out.printf("[hostile] broadcast flood: %d broadcasts written in %d ms (%.0f/s)%n", flood.sent(),
            floodMillis, flood.sent() * 1000.0 / floodMillis);
      } // closing the attack closes the flooder's socket
      within(Duration.ofSeconds(5), Duration.ofMillis(100),
          () -> sentAt.keySet().stream().allMatch(ref -> Phoenix.reply(bystander, ref).isPresent()));
      awaitStable(() -> Phoenix.events(watcher, "broadcast", "realtime:flood").size(), Duration.ofSeconds(1),
          Duration.ofSeconds(10));

      List<String> notAcked = new ArrayList<>();
      List<Long> ackMillis = new ArrayList<>();
      sentAt.forEach((ref, at) -> {
        Optional<Phoenix.Timed> reply = Phoenix.reply(bystander, ref);
        if (reply.isEmpty() || !"ok".equals(reply.get().status())) {
          notAcked.add(ref + ": " + reply.map(r -> r.message().toString()).orElse("no reply"));
        } else {
          ackMillis.add((reply.get().nanos() - at) / 1_000_000);
        }
      });
      long echoed = Phoenix.events(bystander, "broadcast", "realtime:calm").stream()
          .map(m -> m.path(4).path("payload").path("n").asInt(-1)).distinct().count();
      List<String> closes = Stream.concat(Phoenix.events(bystander, "phx_close", "realtime:calm").stream(),
          Phoenix.events(bystander, "system", "realtime:calm").stream()
              .filter(m -> "error".equals(m.path(4).path("status").asText()))).map(JsonNode::toString).toList();
      int watched = Phoenix.events(watcher, "broadcast", "realtime:flood").size();
      double allowed = (EVENTS_PER_CLIENT * floodMillis / 1000.0 + EVENT_BURST) * 1.5;
      double throttles = flooderPod.metrics()
          .sum("slipstream_client_throttles_total", "limit", "maxEventsPerSecondPerClient");
      System.out.printf("[hostile] broadcast flood: the flooder's channel was closed and rejoined %d times; a client on"
              + " its topic received %d of its broadcasts (at most %.0f allowed); the bystander's 25 broadcasts: %d"
              + " acked ok (ack latency %s), %d echoed, %d channel closes; throttles counted %.0f%n", rejoins.get(),
          watched, allowed, ackMillis.size(), percentiles(ackMillis), echoed, closes.size(), throttles);

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(closes).as("the bystander on realtime:calm never receives phx_close or a system error while"
          + " another client floods").isEmpty();
      soft.assertThat(notAcked).as("bystander broadcasts not acked ok").isEmpty();
      soft.assertThat(echoed).as("bystander broadcasts echoed to itself (self: true)").isEqualTo(25);
      soft.assertThat((double) watched).as("broadcasts of the flooder that reach its topic: it is throttled to %d/s"
          + " (burst %d)", EVENTS_PER_CLIENT, EVENT_BURST).isLessThanOrEqualTo(allowed);
      soft.assertThat(throttles).as("slipstream_client_throttles_total{limit=\"maxEventsPerSecondPerClient\"}")
          .isGreaterThanOrEqualTo(1);
      soft.assertAll();
    } finally {
      pacer.shutdownNow();
      rejoiner.shutdownNow();
    }
  }

  @Test
  @Order(21)
  void oneClientsJoinFloodIsThrottledAndOtherClientsJoinsSucceed() throws Exception {
    String token = token("the join flood test");
    ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
    AtomicInteger flooderRefusals = new AtomicInteger();
    try (RawWebSocket bystander = connect(main, token);
        RawWebSocket flooder = RawWebSocket.connect(main.port, websocketPath(token), RawWebSocket.options()
            .discardMessages().onText(text -> {
              if (text.contains("JoinRateLimitReached")) {
                flooderRefusals.incrementAndGet();
              }
            }))) {
      AtomicLong joinsSent = new AtomicLong();
      long start = System.nanoTime();
      // 10 joins and 10 leaves every 10 ms: 1,000 of each a second.
      ScheduledFuture<?> flood = pacer.scheduleAtFixedRate(() -> {
        if (System.nanoTime() - start > ms(5000)) {
          return;
        }
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          long n = joinsSent.incrementAndGet();
          String topic = "realtime:jf-" + n;
          frames.add(RawWebSocket.frame(true, 0x1, join("j" + n, topic, Phoenix.config())
              .getBytes(StandardCharsets.UTF_8), true));
          frames.add(RawWebSocket.frame(true, 0x1, Phoenix.message("j" + n, "l" + n, topic, "phx_leave", object())
              .getBytes(StandardCharsets.UTF_8), true));
        }
        try {
          flooder.sendRaw(concat(frames));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e); // ends the schedule
        }
      }, 0, 10, TimeUnit.MILLISECONDS);
      AtomicInteger next = new AtomicInteger();
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      ScheduledFuture<?> calm = pacer.scheduleAtFixedRate(() -> {
        int i = next.getAndIncrement();
        if (i < 12) {
          sentAt.put("c" + i, System.nanoTime());
          bystander.sendText(join("c" + i, "realtime:calm-join-" + i, Phoenix.config()));
        }
      }, 200, 400, TimeUnit.MILLISECONDS);
      within(Duration.ofSeconds(10), Duration.ofMillis(100), () -> next.get() >= 12
          && System.nanoTime() - start > ms(5000));
      calm.cancel(false);
      flood.cancel(false);
      flooder.socket().close(); // unblocks a write the server stopped reading
      within(Duration.ofSeconds(5), Duration.ofMillis(100),
          () -> sentAt.keySet().stream().allMatch(ref -> Phoenix.reply(bystander, ref).isPresent()));

      List<String> failed = new ArrayList<>();
      sentAt.keySet().stream().sorted().forEach(ref -> {
        Optional<Phoenix.Timed> reply = Phoenix.reply(bystander, ref);
        if (reply.isEmpty() || !"ok".equals(reply.get().status())) {
          failed.add(ref + ": " + reply.map(Phoenix.Timed::reason).orElse("no reply"));
        }
      });
      double throttles = main.metrics().sum("slipstream_client_throttles_total", "limit", "maxJoinsPerSecondPerClient");
      System.out.printf("[hostile] join flood: %d joins (and as many leaves) sent in 5 s, %d refused to the flooder;"
              + " the bystander's 12 joins: %d refused; throttles counted %.0f%n", joinsSent.get(),
          flooderRefusals.get(), failed.size(), throttles);

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(failed).as("a bystander's 12 joins during another client's join flood (1,000/s) all succeed")
          .isEmpty();
      soft.assertThat(throttles).as("slipstream_client_throttles_total{limit=\"maxJoinsPerSecondPerClient\"}")
          .isGreaterThanOrEqualTo(1);
      soft.assertAll();
    } finally {
      pacer.shutdownNow();
    }
  }

  private static byte[] concat(List<byte[]> parts) {
    int size = parts.stream().mapToInt(p -> p.length).sum();
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  // ---- 6-8. SSE ------------------------------------------------------------------------------------

  @Test
  @Order(30)
  void aBadPercentEscapeInAnSseQueryIsA400AndNeverLogsTheToken() throws Exception {
    String token = token("the bad percent-escape test");
    int linesBefore = main.logLines().size();
    RawHttp.Response response = RawHttp.get(main.port, "/realtime/v1/sse?table=orders&apikey=" + token + "&filter=%zz",
        "", Duration.ofSeconds(2));
    awaitStable(() -> main.logLines().size(), Duration.ofMillis(500), Duration.ofSeconds(5));
    List<String> logged = linesSince(main, linesBefore);
    System.out.printf("[hostile] SSE filter=%%zz: %s after %d ms; %d log lines%n", response.statusLine(),
        response.millis(), logged.size());

    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(response.status()).as("GET /realtime/v1/sse?...&filter=%%zz is answered 400 within 2 s; got %s",
        response.statusLine()).isEqualTo(400);
    if (response.status() == 400) {
      soft.assertThat(Phoenix.parse(response.body()).path("error").isTextual()).as("a JSON {\"error\": ...} body: %s",
          response.body()).isTrue();
    }
    soft.assertThat(logged.stream().filter(line -> line.contains(token)).count())
        .as("log lines with the client's token").isZero();
    soft.assertThat(logged.stream().filter(line -> line.startsWith("\tat ")).count())
        .as("stack-trace lines logged for the request").isZero();
    soft.assertAll();
  }

  @Test
  @Order(31)
  void aFarFutureLastEventIdGetsAGapThenTheLiveStream() throws Exception {
    farFutureLastEventId(main, "the far-future Last-Event-ID test");
  }

  private static void farFutureLastEventId(HostileRuntime runtime, String purpose) throws Exception {
    String token = token(purpose);
    try (SseTestClient sse = SseTestClient.open(URI.create("http://127.0.0.1:" + runtime.port
        + "/realtime/v1/sse?table=orders&apikey=" + token), "FFFFFFFFFFFFFFFF-0")) {
      boolean gap = within(Duration.ofSeconds(5), Duration.ofMillis(50), () -> sse.events.stream()
          .anyMatch(e -> "system".equals(e.event()) && e.data().replace(" ", "").contains("\"status\":\"gap\"")));
      assertThat(gap).as("Last-Event-ID FFFFFFFFFFFFFFFF-0 (after anything the runtime has sent) gets an event: system"
          + " with status gap within 5 s; HTTP %d, events %s", sse.status, sse.events).isTrue();
      long id = ROW_IDS.incrementAndGet();
      postgres.execute("INSERT INTO orders (id, room, note) VALUES (" + id + ", 'future', 'after the gap')");
      boolean arrived = within(Duration.ofSeconds(10), Duration.ofMillis(50), () -> sse.changes().stream()
          .anyMatch(e -> Phoenix.parse(e.data()).path("new").path("id").asLong() == id));
      assertThat(arrived).as("a row inserted after the gap message arrives as an ordinary event; events %s",
          sse.events).isTrue();
    }
  }

  static Stream<Arguments> bindingsWebSocketRefuses() {
    return Stream.of(
        Arguments.of("pg_catalog", "pg_authid", null),
        Arguments.of("public", "missing", null),
        Arguments.of("public", "orders", "nosuch=eq.1"),
        Arguments.of("public", "orders", "id=eq.abc"));
  }

  @ParameterizedTest(name = "schema={0} table={1} filter={2}")
  @MethodSource("bindingsWebSocketRefuses")
  @Order(32)
  void sseRefusesWithA400AndTheSameReasonWhatAWebSocketJoinRefuses(String schema, String table, String filter)
      throws Exception {
    String token = token("the SSE-refuses-like-WebSocket test");
    String wsReason;
    try (RawWebSocket ws = connect(main, token)) {
      ws.sendText(join("1", "realtime:compare", postgresChanges(List.of(binding("*", schema, table, filter)))));
      Phoenix.Timed reply = Phoenix.awaitReply(ws, "1", Duration.ofSeconds(15), "the WebSocket join");
      assertThat(reply.status()).as("setup: the WebSocket join refuses the binding: %s", reply.message())
          .isEqualTo("error");
      wsReason = reply.reason();
    }
    String query = "schema=" + schema + "&table=" + table
        + (filter == null ? "" : "&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8));
    RawHttp.Response response = RawHttp.get(main.port, "/realtime/v1/sse?" + query + "&apikey=" + token, "",
        Duration.ofSeconds(5));
    assertThat(response.status()).as("GET /realtime/v1/sse?%s is refused with 400 as the WebSocket join is refused"
        + " (\"%s\"); got %s", query, wsReason, response.statusLine()).isEqualTo(400);
    assertThat(Phoenix.parse(response.body()).path("error").asText()).as("the SSE error equals the WebSocket join's"
        + " reason").isEqualTo(wsReason);
  }

  // ---- 9-11. the wire ------------------------------------------------------------------------------

  @Test
  @Order(40)
  void aFragmentedWebSocketMessageIsReassembled() throws Exception {
    try (RawWebSocket ws = connect(main, token("the fragmented message test"))) {
      byte[] json = heartbeat("fragmented").getBytes(StandardCharsets.UTF_8);
      int half = json.length / 2;
      ws.sendFrame(false, 0x1, java.util.Arrays.copyOfRange(json, 0, half), true);
      ws.sendFrame(true, 0x0, java.util.Arrays.copyOfRange(json, half, json.length), true);
      Phoenix.Timed reply = Phoenix.awaitReply(ws, "fragmented", Duration.ofSeconds(5),
          "a heartbeat sent as a text frame (FIN=0) and a continuation frame");
      assertThat(reply.status()).isEqualTo("ok");
    }
  }

  @Test
  @Order(41)
  void aRequestLineOver4096BytesIsA414() {
    String target = "/realtime/v1/sse?table=orders&apikey=" + token("the long request line test") + "&pad="
        + "p".repeat(5000);
    RawHttp.Response response = RawHttp.get(main.port, target, "", Duration.ofSeconds(5));
    assertThat(response.status()).as("a request line of %d bytes; got %s", target.length() + 15,
        response.statusLine()).isEqualTo(414);
  }

  @Test
  @Order(42)
  void aHeaderOver8KiBIsA431AndOpensNoStream() {
    RawHttp.Response response = RawHttp.get(main.port, "/realtime/v1/sse?table=orders&apikey="
        + token("the long header test"), "X-Padding: " + "h".repeat(9000) + "\r\n", Duration.ofSeconds(5));
    assertThat(response.status()).as("an SSE request with a valid apikey and a 9,000-byte header; got %s",
        response.statusLine()).isEqualTo(431);
    assertThat(String.valueOf(response.header("Content-Type"))).as("no event stream opens")
        .doesNotContain("event-stream");
    assertThat(response.body()).as("no event stream opens").doesNotContain(": connected");
  }

  /** One protocol violation and what the runtime did about it. */
  private record Violation(String name, Callable<String> run) {
  }

  @Test
  @Order(50)
  void protocolViolationsAreAnsweredOrClosedWithAtMostALogLineEach() throws Exception {
    String token = token("the protocol violations test");
    byte[] heartbeatBytes = heartbeat("v").getBytes(StandardCharsets.UTF_8);
    List<Violation> violations = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      violations.add(new Violation("unmasked frame " + i, () -> closedAfter(token,
          ws -> ws.sendFrame(true, 0x1, heartbeatBytes, false), null)));
      violations.add(new Violation("reserved opcode 0x3 " + i, () -> closedAfter(token,
          ws -> ws.sendFrame(true, 0x3, "x".getBytes(StandardCharsets.UTF_8), true), null)));
      violations.add(new Violation("invalid UTF-8 in a text frame " + i, () -> closedAfter(token,
          ws -> ws.sendFrame(true, 0x1, new byte[] {'"', (byte) 0xC3, 0x28, '"'}, true), null)));
      String garbage = List.of("{not json", "[\"1\",\"2\",", "}}}").get(i);
      violations.add(new Violation("malformed JSON " + garbage, () -> {
        try (RawWebSocket ws = connect(main, token)) {
          ws.sendText(garbage);
          ws.sendText(heartbeat("after"));
          // Answered (an error, or the next heartbeat's reply) or closed: either is fine; silence is not.
          within(Duration.ofSeconds(5), Duration.ofMillis(20), () -> Phoenix.reply(ws, "after").isPresent()
              || !ws.isOpen());
          return Phoenix.reply(ws, "after").isPresent() ? "the next heartbeat is answered"
              : ws.textCount() > 0 ? "answered: " + ws.messages().getFirst().text()
              : !ws.isOpen() ? "closed: " + ws.describe() : "HUNG: no answer and still open, " + ws.describe();
        }
      }));
    }
    for (int i = 0; i < 2; i++) {
      violations.add(new Violation("a frame announcing 1 MiB + 1 " + i, () -> closedAfter(token,
          ws -> ws.sendRaw(RawWebSocket.header(true, 0x1, (1 << 20) + 1, true)), 1009)));
      byte[] request = List.of("\u0016\u0003\u0001\u0002\u0000garbage\r\n\r\n",
          "GET / HTTP/1.1 what is this\u0000\r\n\r\n").get(i).getBytes(StandardCharsets.ISO_8859_1);
      violations.add(new Violation("a garbage request line " + i, () -> {
        RawHttp.Response response = RawHttp.exchange(main.port, request, Duration.ofSeconds(5));
        return response.status() > 0 ? "answered " + response.statusLine()
            : response.problem().startsWith("timed out") ? "HUNG: " + response.problem()
            : "closed: " + response.problem();
      }));
    }
    assertThat(violations).hasSize(16);

    int linesBefore = main.logLines().size();
    Map<String, String> outcomes = new LinkedHashMap<>();
    for (Violation violation : violations) {
      outcomes.put(violation.name(), violation.run().call());
    }
    awaitStable(() -> main.logLines().size(), Duration.ofSeconds(1), Duration.ofSeconds(10));
    List<String> logged = linesSince(main, linesBefore);
    long stackLines = logged.stream().filter(line -> line.startsWith("\tat ")).count();
    System.out.printf("[hostile] 16 protocol violations: %d log lines (%d of them stack-trace lines); outcomes %s%n",
        logged.size(), stackLines, outcomes);

    SoftAssertions soft = new SoftAssertions();
    outcomes.forEach((name, outcome) -> soft.assertThat(outcome).as("what happened to: %s", name)
        .doesNotStartWith("HUNG").doesNotStartWith("WRONG"));
    soft.assertThat(logged.size()).as("log lines for 16 protocol violations (first: %s)",
        logged.stream().limit(3).toList()).isLessThanOrEqualTo(16);
    soft.assertThat(stackLines).as("stack-trace lines logged for them").isZero();
    soft.assertAll();
  }

  private interface SocketAction {
    void apply(RawWebSocket ws) throws IOException;
  }

  /** Connects, does {@code action}, and says how the server ended it (or "HUNG" when it did not within 5 s). */
  private static String closedAfter(String token, SocketAction action, Integer expectedCode) throws IOException {
    try (RawWebSocket ws = connect(main, token)) {
      try {
        action.apply(ws);
      } catch (IOException e) {
        // the server may cut the connection while the frame is still going out
      }
      if (!within(Duration.ofSeconds(5), Duration.ofMillis(20), () -> !ws.isOpen())) {
        return "HUNG: still open after 5 s";
      }
      within(Duration.ofMillis(500), Duration.ofMillis(20), ws.closeCode::isDone);
      String how = ws.closeCode.isDone() ? "close " + ws.closeCode.join() : "ended without a close frame ("
          + ws.ended.getNow("?") + ")";
      return expectedCode == null || (ws.closeCode.isDone() && ws.closeCode.join().equals(expectedCode))
          ? how : "WRONG: expected close " + expectedCode + ", got " + how;
    }
  }

  // ---- the last word: secrets in the logs -----------------------------------------------------------

  // ---- across pods: a follower, and the leader's relay port ---------------------------------------------

  /** The two pods of one tenant: the leader (holds the Lease, streams the slot, serves the relay) and a follower. */
  private record Pods(HostileRuntime leader, HostileRuntime follower, int leaderRelayPort) {
  }

  /**
   * Starts the tenant's pods on first use (the attacks on one pod never pay for them): the leader
   * first, so that it takes the Lease, then the follower, which then receives every change, broadcast
   * and presence of the leader's clients over the relay.
   */
  private static synchronized Pods pods() {
    if (pods != null) {
      return pods;
    }
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TENANT).endMetadata()
        .build()).create();
    assertThat(kube.kubectlApply(TENANT, TenantPods.tenantManifest(TENANT, 2)).exitCode()).isZero();
    String slot = "hostile_pods";
    postgres.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    int leaderRelayPort = RuntimeProcess.freePort();
    HostileRuntime leader = startPod("pod-leader", slot, leaderRelayPort);
    require(Duration.ofSeconds(30), () -> "pod-leader".equals(TenantPods.leaseHolder(kube.client(), TENANT, TENANT)),
        "setup: pod-leader holds the tenant's Lease");
    HostileRuntime follower = startPod("pod-follower", slot, RuntimeProcess.freePort());
    require(Duration.ofSeconds(30), () -> metric(leader, "slipstream_relay_followers") == 1
        && metric(follower, "slipstream_relay_client_connected") == 1, "setup: pod-follower follows pod-leader's relay");
    pods = new Pods(leader, follower, leaderRelayPort);
    return pods;
  }

  private static HostileRuntime startPod(String name, String slot, int relayPort) {
    Map<String, String> env = limits();
    TenantPods.join(env, TENANT, TENANT, name, "127.0.0.1", relayPort, Duration.ofSeconds(5), kube.kubeconfig());
    HostileRuntime runtime = HostileRuntime.start(name, slot, postgres, PUBLICATION,
        new String[] {DB_ROLE, DB_PASSWORD}, env, token("the catalog probe of " + name));
    RUNTIMES.add(runtime);
    return runtime;
  }

  // The attacks of this suite that take a path through the relay, run against the follower. The
  // others are answered by the pod the client is on, from what that pod holds alone (its event
  // loops, its limits, its catalog, its timeouts, its HTTP codec), the same on a follower as on
  // a leader, and are not repeated here.

  @Test
  @Order(60)
  void onAFollowerANeverReadingClientRejoiningAPresenceTrackedOnTheLeaderIsClosedAndRowsKeepComing() throws Exception {
    Pods pods = pods();
    neverReadingRejoinerOfABigPresence(pods.leader(), pods.follower(), "the never-reading presence test on a follower");
  }

  @Test
  @Order(61)
  void aFollowersClientFloodingBroadcastsIsThrottledBeforeTheRelayAndOtherClientsBroadcastsCross() throws Exception {
    Pods pods = pods();
    broadcastFlood(pods.follower(), pods.leader(), pods.follower(), "the broadcast flood test on a follower");
  }

  @Test
  @Order(62)
  void onAFollowerAFarFutureLastEventIdGetsAGapThenTheLiveStream() throws Exception {
    farFutureLastEventId(pods().follower(), "the far-future Last-Event-ID test on a follower");
  }

  /**
   * Clients of a follower re-tracking a half-megabyte presence as fast as their limits let them:
   * every track crosses the relay to the leader (and from it to any other follower), on the same
   * link that carries the follower's acknowledgements. The follower must not be cut off for it,
   * and its clients must keep receiving their rows.
   */
  @Test
  @Order(63)
  void aFollowersClientsTrackingHugePresencesAgainAndAgainDoNotCutTheFollowerOffItsLeader() throws Exception {
    Pods pods = pods();
    HostileRuntime leader = pods.leader();
    HostileRuntime follower = pods.follower();
    String token = token("the presence flood test on a follower");
    Metrics leaderBefore = leader.metrics();
    Metrics followerBefore = follower.metrics();
    int trackers = 8;
    // Two payloads in turn: every track changes the presence, so every one is news for the other pods.
    byte[][] tracks = {trackFrame("p"), trackFrame("q")};
    List<AutoCloseable> toClose = new ArrayList<>();
    AtomicInteger diffsOnLeader = new AtomicInteger();
    try (RawWebSocket watcher = connect(follower, token);
        RawWebSocket onLeader = RawWebSocket.connect(leader.port, websocketPath(token), RawWebSocket.options()
            .discardMessages().onText(text -> {
              if (text.contains("\"presence_diff\"")) {
                diffsOnLeader.incrementAndGet();
              }
            }))) {
      joinOk(watcher, "1", "realtime:orders-pflood", postgresChanges(List.of(binding("INSERT", "public", "orders",
          null))));
      onLeader.sendText(join("1", "realtime:pflood", presence("leader-side")));
      List<AttackLoop> attacks = new ArrayList<>();
      long rssBefore = follower.rss();
      long leaderRssBefore = leader.rss();
      Map<Long, Long> committed;
      long peak;
      long leaderPeak;
      try (ProcessMemory rss = ProcessMemory.sample(follower.pid(), 200);
          ProcessMemory leaderRss = ProcessMemory.sample(leader.pid(), 200);
          RowWriter writer = RowWriter.start(postgres, ROW_IDS::incrementAndGet, "pflood", 20)) {
        for (int i = 0; i < trackers; i++) {
          RawWebSocket tracker = connect(follower, token);
          toClose.add(tracker);
          joinOk(tracker, "1", "realtime:pflood", presence("k" + i));
          attacks.add(AttackLoop.start("track-" + i, tracker, n -> tracks[(int) (n % 2)], 1, Duration.ofSeconds(6)));
        }
        toClose.addAll(attacks);
        require(Duration.ofSeconds(15), () -> attacks.stream().allMatch(a -> System.nanoTime() - a.startNanos
            >= ms(6000) || a.failed()), "the trackers' 6 s");
        attacks.forEach(AttackLoop::stop);
        writer.stop();
        committed = writer.committed();
        within(Duration.ofSeconds(10), Duration.ofMillis(100),
            () -> rowsReceived(watcher).keySet().containsAll(committed.keySet()));
        peak = rss.peakBytes();
        leaderPeak = leaderRss.peakBytes();
      }
      Map<Long, Long> received = rowsReceived(watcher);
      List<Long> latencies = new ArrayList<>();
      List<Long> missing = new ArrayList<>();
      committed.forEach((id, at) -> {
        Long got = received.get(id);
        if (got == null) {
          missing.add(id);
        } else {
          latencies.add(Math.max(0, (got - at) / 1_000_000));
        }
      });
      Metrics leaderAfter = leader.metrics();
      Metrics followerAfter = follower.metrics();
      long sent = attacks.stream().mapToLong(AttackLoop::sent).sum();
      double cutOff = leaderAfter.sum("slipstream_relay_followers_cut_off_total")
          - leaderBefore.sum("slipstream_relay_followers_cut_off_total");
      double gaps = followerAfter.sum("slipstream_relay_client_gaps_total")
          - followerBefore.sum("slipstream_relay_client_gaps_total");
      System.out.printf("[hostile] presence flood on a follower: %d clients wrote %d tracks of 500 KB in 6 s (%s"
              + " closed), %d presence diffs reached a client on the leader; follower RSS before %s, peak %s (+%s);"
              + " leader RSS before %s, peak %s (+%s); followers cut off %.0f, gaps %.0f; the follower's subscriber"
              + " got %d of %d rows, latency %s%n", trackers, sent,
          attacks.stream().filter(AttackLoop::failed).count(), diffsOnLeader.get(), mb(rssBefore), mb(peak), mb(peak - rssBefore),
          mb(leaderRssBefore), mb(leaderPeak), mb(leaderPeak - leaderRssBefore), cutOff, gaps,
          committed.size() - missing.size(), committed.size(), percentiles(latencies));

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(diffsOnLeader.get()).as("presence diffs that crossed the relay to a client on the leader")
          .isPositive();
      soft.assertThat(cutOff).as("the leader never cuts the follower off").isZero();
      soft.assertThat(gaps).as("the follower never has a gap").isZero();
      soft.assertThat(missing).as("rows the follower's subscriber never received").isEmpty();
      soft.assertThat(peak).as("the follower's peak RSS (before %s)", mb(rssBefore))
          .isLessThanOrEqualTo(rssBefore + RSS_ATTACK_BOUND);
      soft.assertThat(leaderPeak).as("the leader's peak RSS (before %s)", mb(leaderRssBefore))
          .isLessThanOrEqualTo(leaderRssBefore + RSS_ATTACK_BOUND);
      soft.assertAll();
    } finally {
      closeAll(toClose);
    }
  }

  private static byte[] trackFrame(String fill) {
    return RawWebSocket.frame(true, 0x1, Phoenix.track("1", "t", "realtime:pflood",
        object().put("blob", fill.repeat(500_000))).getBytes(StandardCharsets.UTF_8), true);
  }

  /**
   * Peers of the leader's relay port that are no follower: garbage, a HELLO with a wrong secret, a
   * frame length of a gigabyte, a connection that says nothing, and one that proves the secret and
   * then never reads (but keeps sending keepalives, so it is never silent). Each is closed, counted
   * and logged; the leader holds no more than the bound; the real follower misses nothing.
   */
  @Test
  @Order(64)
  void relayPeersThatSendGarbageOrNeverReadAreCutOffAndTheFollowerReceivesEveryChange() throws Exception {
    Pods pods = pods();
    HostileRuntime leader = pods.leader();
    HostileRuntime follower = pods.follower();
    String token = token("the relay peer test");
    int leaderLines = leader.logLines().size();
    Metrics before = leader.metrics();
    try (SseTestClient watcher = SseTestClient.open(URI.create("http://127.0.0.1:" + follower.port
        + "/realtime/v1/sse?table=orders&event=INSERT&apikey=" + token), null)) {
      // A row proves the subscription; a count of subscriptions does not (the test before's clients
      // may still be leaving the follower while this one joins).
      require(Duration.ofSeconds(15), () -> {
        if (!sseRowIds(watcher).isEmpty()) {
          return true;
        }
        postgres.execute("INSERT INTO orders (id, room, note) VALUES (" + ROW_IDS.incrementAndGet()
            + ", 'probe', 'is the SSE watcher subscribed?')");
        return false;
      }, "setup: the SSE watcher on the follower receives a row");
      long rssBefore = leader.rss();
      Map<String, Long> cutAfterMillis = new LinkedHashMap<>();
      long peak;
      long calmPeak;
      Map<Long, Long> committed;
      try (RowWriter writer = RowWriter.start(postgres, ROW_IDS::incrementAndGet, "relay", 200, 16_384)) {
        // The same rows without an attacker first, until the relay's backlog (32 MiB) is full and 5 s
        // after: what the leader's memory does with this load alone, to compare the attacks with.
        try (ProcessMemory calm = ProcessMemory.sample(leader.pid(), 100)) {
          require(Duration.ofSeconds(60), () -> leader.metrics().sum("slipstream_relay_backlog_bytes") > 30e6,
              "setup: the leader's relay backlog fills");
          int rows = writer.count();
          require(Duration.ofSeconds(20), () -> writer.count() >= rows + 1000, "setup: 5 s more of rows");
          calmPeak = calm.peakBytes();
        }
        try (ProcessMemory rss = ProcessMemory.sample(leader.pid(), 100)) {
          // Garbage, a wrong secret and a gigabyte's length: refused at once.
          try (RelayPeer garbage = peer(0); RelayPeer impostor = peer(0);
              RelayPeer giant = peer(0)) {
            long at = System.nanoTime();
            garbage.write(RelayPeer.garbage(64));
            impostor.write(impostor.hello("impostor", "not-the-password".getBytes(StandardCharsets.UTF_8)));
            giant.write(RelayPeer.lengthOnly(1 << 30));
            for (Map.Entry<String, RelayPeer> peer : Map.of("garbage", garbage, "wrong secret", impostor,
                "oversized frame", giant).entrySet()) {
              assertThat(peer.getValue().closedByLeader()).as("the leader closes the connection of the %s",
                  peer.getKey()).isTrue();
              cutAfterMillis.put(peer.getKey(), (System.nanoTime() - at) / 1_000_000);
            }
          }
          // Silent, and authenticated but never reading: held until their timeouts.
          try (RelayPeer silent = peer(0); RelayPeer stuck = peer(4096)) {
            long at = System.nanoTime();
            stuck.write(stuck.hello("stuck-pod", DB_PASSWORD.getBytes(StandardCharsets.UTF_8)));
            require(Duration.ofSeconds(10), () -> metric(leader, "slipstream_relay_followers") == 2,
                "the peer that proved the secret joins the relay");
            ScheduledExecutorService keepalives = Executors.newSingleThreadScheduledExecutor();
            try {
              keepalives.scheduleAtFixedRate(() -> {
                try {
                  stuck.write(RelayPeer.keepalive());
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e); // cut off: ends the schedule
                }
              }, 0, 500, TimeUnit.MILLISECONDS);
              assertThat(silent.closedByLeader()).as("the leader closes a connection that says nothing").isTrue();
              cutAfterMillis.put("silent", (System.nanoTime() - at) / 1_000_000);
              require(Duration.ofSeconds(30), () -> metric(leader, "slipstream_relay_followers_cut_off_total")
                  > before.sum("slipstream_relay_followers_cut_off_total"), "the leader cuts off the peer that never reads");
              cutAfterMillis.put("authenticated, never reading", (System.nanoTime() - at) / 1_000_000);
            } finally {
              keepalives.shutdownNow();
            }
          }
          peak = rss.peakBytes();
        }
        writer.stop();
        committed = writer.committed();
      }
      List<Long> ids = committed.keySet().stream().sorted().toList();
      require(Duration.ofSeconds(30), () -> sseRowIds(watcher).containsAll(ids),
          "the follower's SSE client receives every row committed during the attacks");
      Metrics after = leader.metrics();
      List<String> lines = linesSince(leader, leaderLines);
      List<Long> received = sseRowIds(watcher).stream().filter(committed::containsKey).toList();
      System.out.printf("[hostile] relay peers against the leader's relay: closed after %s ms; leader RSS before %s,"
              + " peak %s (+%s) with the rows alone (its relay backlog full), peak %s (+%s) during the attacks; rejected"
              + " %s; cut off %s; the follower's client got %d of %d rows (16 KB each, 200 a second), in order: %s%n",
          cutAfterMillis,
          mb(rssBefore), mb(calmPeak), mb(calmPeak - rssBefore), mb(peak), mb(peak - rssBefore),
          delta(before, after, "slipstream_relay_rejected_total"),
          delta(before, after, "slipstream_relay_followers_cut_off_total"), received.size(), ids.size(),
          received.equals(ids));
      lines.stream().filter(line -> line.contains("Relay ")).forEach(line -> System.out.println("[hostile]   " + line));

      SoftAssertions soft = new SoftAssertions();
      for (String reason : List.of("malformed_frame", "bad_secret", "oversized_frame", "handshake_timeout")) {
        soft.assertThat(after.sum("slipstream_relay_rejected_total", "reason", reason)
            - before.sum("slipstream_relay_rejected_total", "reason", reason))
            .as("slipstream_relay_rejected_total{reason=\"%s\"}", reason).isEqualTo(1.0);
        soft.assertThat(lines).as("a log line for the peer refused for %s", reason)
            .anyMatch(line -> line.contains("refused (" + reason + ")"));
      }
      soft.assertThat(after.sum("slipstream_relay_followers_cut_off_total")
          - before.sum("slipstream_relay_followers_cut_off_total")).as("followers cut off: only the one never reading")
          .isEqualTo(1.0);
      soft.assertThat(lines).as("a log line for the peer cut off").anyMatch(line -> line.contains("stuck-pod")
          && line.contains("cut off"));
      soft.assertThat(lines).as("the real follower is never disconnected nor cut off")
          .noneMatch(line -> line.contains("pod-follower") && (line.contains("cut off") || line.contains("disconnected")));
      soft.assertThat(after.sum("slipstream_relay_followers")).as("the leader's followers after the attacks")
          .isEqualTo(1.0);
      soft.assertThat(received).as("rows on the follower: every one committed, once, in commit order")
          .containsExactlyElementsOf(ids);
      soft.assertThat(watcher.events).as("no gap notice on the follower's client").allMatch(e -> e.event() == null);
      soft.assertThat(peak).as("the leader's peak RSS (before %s)", mb(rssBefore))
          .isLessThanOrEqualTo(rssBefore + RSS_ATTACK_BOUND);
      soft.assertAll();
    }
  }

  private static RelayPeer peer(int receiveBuffer) throws IOException {
    return RelayPeer.connect("127.0.0.1", pods().leaderRelayPort(), receiveBuffer);
  }

  private static String delta(Metrics before, Metrics after, String name) {
    return after.samples().stream().filter(s -> s.name().equals(name)).map(s -> {
      String reason = s.labels().get("reason");
      double was = before.sum(name, "reason", reason);
      return s.value() > was ? reason + " +" + (long) (s.value() - was) : null;
    }).filter(java.util.Objects::nonNull).collect(Collectors.joining(", ", "[", "]"));
  }

  /** The ids of the rows an SSE client received, in the order it received them. */
  private static List<Long> sseRowIds(SseTestClient client) {
    return client.changes().stream().map(e -> Phoenix.parse(e.data()).path("new").path("id").asLong()).toList();
  }

  /** The size of the presence_state a join of realtime:big gets on {@code runtime}; 0 when none came within 5 s. */
  private static int presenceStateSize(HostileRuntime runtime, String token) throws IOException {
    try (RawWebSocket probe = connect(runtime, token)) {
      joinOk(probe, "1", "realtime:big", presence("probe"));
      within(Duration.ofSeconds(5), Duration.ofMillis(50), () -> probe.messages().stream()
          .anyMatch(m -> m.text().contains("\"presence_state\"")));
      return probe.messages().stream().filter(m -> m.text().contains("\"presence_state\""))
          .mapToInt(m -> m.text().length()).max().orElse(0);
    }
  }

  @Test
  @Order(1000)
  void noRuntimeLogOfTheSuiteContainsATokenTheJwtSecretOrTheDatabasePassword() {
    // /metrics first, while the runtime still answers, after every attack of the suite ran against it.
    String metrics = main.metrics().text();
    main.process.stop(Duration.ofSeconds(30)); // its shutdown is logged too
    List<String> findings = new ArrayList<>();
    assertThat(metrics).contains("slipstream_connections");
    TOKENS.forEach((token, purpose) -> {
      if (metrics.contains(token)) {
        findings.add("/metrics has the token minted for " + purpose);
      }
    });
    if (metrics.contains(JWT_SECRET) || metrics.contains(DB_PASSWORD)) {
      findings.add("/metrics has the JWT secret or the database password");
    }
    for (HostileRuntime runtime : RUNTIMES) {
      List<String> lines = HostileRuntime.logLines(runtime.log);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        String where = runtime.log.getFileName() + ":" + (i + 1);
        for (Map.Entry<String, String> token : TOKENS.entrySet()) {
          if (line.contains(token.getKey())) {
            findings.add(where + " has the token minted for " + token.getValue());
          }
        }
        if (line.contains(JWT_SECRET)) {
          findings.add(where + " has the JWT secret");
        }
        if (line.contains(DB_PASSWORD)) {
          findings.add(where + " has the database password");
        }
      }
    }
    System.out.printf("[hostile] /metrics and the logs of %d runtimes searched for %d tokens, the JWT secret and the"
        + " database password: %d findings%n", RUNTIMES.size(), TOKENS.size(), findings.size());
    assertThat(findings).as("secrets in /metrics or the runtime logs under %s", HostileRuntime.LOG_DIR.toAbsolutePath())
        .isEmpty();
  }

  // ---- waiting and numbers ----------------------------------------------------------------------------

  /** Whether {@code condition} became true within {@code atMost} (never throws on a timeout). */
  private static boolean within(Duration atMost, Duration poll, Callable<Boolean> condition) {
    try {
      await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(poll).until(condition);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /** As {@link #within} but a failed setup step: an {@link AssertionError} with {@code what}. */
  private static void require(Duration atMost, Callable<Boolean> condition, String what) {
    if (!within(atMost, Duration.ofMillis(50), condition)) {
      throw new AssertionError("timed out after " + atMost + ": " + what);
    }
  }

  /** Waits until {@code value} has not changed for {@code quiet} (or {@code atMost} passed). */
  private static void awaitStable(IntSupplier value, Duration quiet, Duration atMost) {
    int[] last = {value.getAsInt()};
    long[] since = {System.nanoTime()};
    within(atMost, Duration.ofMillis(100), () -> {
      int now = value.getAsInt();
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
      }
      return System.nanoTime() - since[0] >= quiet.toNanos();
    });
  }

  private static List<String> linesSince(HostileRuntime runtime, int before) {
    List<String> lines = runtime.logLines();
    return lines.subList(Math.min(before, lines.size()), lines.size());
  }

  /** One series' sum from a scrape with a short timeout; -1 when the runtime does not answer. */
  private static double metric(HostileRuntime runtime, String name) {
    Metrics metrics = Metrics.tryScrape(runtime.port, Duration.ofSeconds(2));
    return metrics == null ? -1 : metrics.sum(name);
  }

  private static String percentiles(List<Long> millis) {
    List<Long> known = millis.stream().filter(m -> m >= 0).sorted().toList();
    if (known.isEmpty()) {
      return "n/a (" + millis.size() + " samples, none answered)";
    }
    return String.format(java.util.Locale.ROOT, "p50 %d ms, p99 %d ms, max %d ms over %d (%d unanswered)",
        percentile(known, 0.50), percentile(known, 0.99), known.getLast(), known.size(), millis.size() - known.size());
  }

  private static long percentile(List<Long> sorted, double p) {
    return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources.reversed()) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
