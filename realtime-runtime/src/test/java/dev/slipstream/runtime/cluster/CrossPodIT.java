package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.compat.NodeSuite;
import dev.slipstream.runtime.testing.RuntimeProcess;
import dev.slipstream.runtime.testing.TenantPods;
import dev.slipstream.runtime.testing.WebSocketTestClient;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client broadcasts across the pods of one tenant: three runtime processes (one leader, two
 * followers, set up as in {@link ScaleOutIT}), a Phoenix WebSocket client on each (raw Phoenix
 * frames of serializer 2.0.0, as realtime-js sends them, from Java), joined to one topic. A
 * broadcast sent on any pod reaches the topic's subscribers on every other pod once, and with
 * {@code ack: true} the sender's reply is {@code ok} (the leader has it); after the leader is
 * killed, broadcasts cross the pods through the new leader.
 */
class CrossPodIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String NAMESPACE = "tenants";
  private static final String TENANT = "acme";
  private static final String PUBLICATION = "cross_pod_it";
  /** Longer than ScaleOutIT's: this test is about broadcasts, not hand-over speed, and must not flap on a loaded machine. */
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final String ROOM = "realtime:room";
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static EventLoopGroup sockets;
  private String slot;
  private Path logDir;
  private final List<Pod> pods = new ArrayList<>();
  private final List<WebSocketTestClient> clients = new ArrayList<>();

  private record Pod(String name, String host, int port, RuntimeProcess process) {
    URI uri(String path) {
      return URI.create("http://" + host + ":" + port + path);
    }
  }

  /** A socket joined to {@link #ROOM} on one pod, and the broadcasts' payloads ("from" fields) it received. */
  private record Member(Pod pod, WebSocketTestClient socket) {
    List<String> broadcasts() {
      return socket.received.stream().map(CrossPodIT::tree)
          .filter(m -> m.get(3).asText().equals("broadcast") && m.get(2).asText().equals(ROOM))
          .map(m -> m.get(4).get("payload").get("from").asText()).toList();
    }

    JsonNode reply(String ref) {
      return socket.received.stream().map(CrossPodIT::tree)
          .filter(m -> m.get(3).asText().equals("phx_reply") && ref.equals(m.get(1).asText(null)))
          .findFirst().orElse(null);
    }
  }

  @BeforeAll
  static void tenant() {
    postgres.execute("CREATE TABLE crossing (id bigint PRIMARY KEY)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE crossing");
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
        .build()).create();
    assertThat(kube.kubectlApply(NAMESPACE, TenantPods.tenantManifest(TENANT, 3)).exitCode()).isZero();
    sockets = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopSockets() {
    if (sockets != null) {
      sockets.shutdownGracefully().syncUninterruptibly();
    }
  }

  @BeforeEach
  void freshSlot(TestInfo test) throws IOException {
    String method = test.getTestMethod().orElseThrow().getName();
    slot = "cross_" + Integer.toHexString(method.hashCode() & 0x7fffffff);
    postgres.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    logDir = Path.of("target", "cross-pod-it", method);
    Files.createDirectories(logDir);
    kube.client().leases().inNamespace(NAMESPACE).withName(ClusterSettings.defaultLease(TENANT)).delete();
  }

  @AfterEach
  void stopEverything() {
    clients.forEach(WebSocketTestClient::close);
    pods.forEach(pod -> pod.process().close());
    try {
      await().atMost(WAIT).until(() -> "0".equals(query("SELECT count(*) FROM pg_replication_slots"
          + " WHERE slot_name = '" + slot + "' AND active")));
      postgres.execute("SELECT pg_drop_replication_slot('" + slot + "')");
    } catch (RuntimeException e) {
      System.err.println("could not drop slot " + slot + ": " + e);
    }
  }

  @Test
  void aBroadcastOnAnyPodReachesTheTopicsSubscribersOnEveryOtherPodOnceAndIsAcknowledged() throws Exception {
    startPods(3);
    Pod leaderPod = pod(leaseHolder());
    within("the leader's relay to have both followers", () -> metric(leaderPod, "slipstream_relay_followers") == 2);
    Member leader = join(leaderPod);
    List<Member> followers = pods.stream().filter(p -> p != leaderPod).map(this::join).toList();
    Member one = followers.get(0);
    Member two = followers.get(1);
    List<Member> all = List.of(leader, one, two);
    WebSocketTestClient elsewhere = socket(two.pod());
    elsewhere.send("[\"9\",\"9\",\"realtime:elsewhere\",\"phx_join\",{\"config\":{}}]");

    // follower -> leader and the other follower; leader -> both followers; follower <-> follower
    send(one, "one", "11");
    within("the leader's and the other follower's clients to receive one's broadcast",
        () -> leader.broadcasts().contains("one") && two.broadcasts().contains("one"));
    send(leader, "leader", "12");
    within("both followers' clients to receive the leader's broadcast",
        () -> one.broadcasts().contains("leader") && two.broadcasts().contains("leader"));
    send(two, "two", "13");
    within("the leader's and the first follower's clients to receive two's broadcast",
        () -> leader.broadcasts().contains("two") && one.broadcasts().contains("two"));

    // Acknowledged by the leader: each sender's reply is ok.
    for (Member member : all) {
      JsonNode reply = member.reply(member == leader ? "12" : member == one ? "11" : "13");
      assertThat(reply).as("the reply to %s's broadcast", member.pod().name()).isNotNull();
      assertThat(reply.get(4).get("status").asText()).isEqualTo("ok");
    }
    // A marker through every pod, then nothing was delivered twice, and no one got its own (self: false).
    send(leader, "marker", "14");
    within("the marker on both followers", () -> one.broadcasts().contains("marker")
        && two.broadcasts().contains("marker"));
    send(two, "marker2", "15");
    within("the second marker on the leader and the first follower", () -> leader.broadcasts().contains("marker2")
        && one.broadcasts().contains("marker2"));
    assertThat(leader.broadcasts()).containsExactly("one", "two", "marker2");
    assertThat(one.broadcasts()).containsExactly("leader", "two", "marker", "marker2");
    assertThat(two.broadcasts()).containsExactly("one", "leader", "marker");
    assertThat(elsewhere.received.stream().map(CrossPodIT::tree).filter(m -> m.get(3).asText().equals("broadcast")))
        .as("a channel of another topic gets none").isEmpty();
    assertThat(metric(leaderPod, "slipstream_relay_broadcasts_total{direction=\"received\"}")).isEqualTo(3);
    assertThat(metric(one.pod(), "slipstream_relay_broadcasts_total{direction=\"sent\"}")).isEqualTo(1);
  }

  @Test
  void afterTheLeaderIsKilledBroadcastsCrossThePodsThroughTheNewLeader() throws Exception {
    startPods(3);
    Pod oldLeader = pod(leaseHolder());
    List<Pod> survivors = pods.stream().filter(p -> p != oldLeader).toList();
    Member one = join(survivors.get(0));
    Member two = join(survivors.get(1));
    assertThat(oldLeader.process().kill(WAIT)).as("SIGKILL").isEqualTo(137);
    within("a new leader with the other survivor following it", () -> {
      String holder = leaseHolder();
      if (holder == null || holder.equals(oldLeader.name())) {
        return false;
      }
      return metric(pod(holder), "slipstream_relay_followers") == 1;
    });
    // Ready: the leader streams, the follower is connected to its relay (until then, a broadcast with
    // ack: true is answered with an error, "no connection to the leader's relay").
    within("both survivors to be ready", () -> survivors.stream().allMatch(p -> status(p, "/readyz") == 200));
    send(one, "one", "21");
    send(two, "two", "22");
    within("each survivor's client to receive the other's broadcast",
        () -> two.broadcasts().contains("one") && one.broadcasts().contains("two"));
    within("both replies", () -> one.reply("21") != null && two.reply("22") != null);
    assertThat(one.reply("21").get(4).get("status").asText()).isEqualTo("ok");
    assertThat(two.reply("22").get(4).get("status").asText()).isEqualTo("ok");
    assertThat(one.broadcasts()).containsExactly("two");
    assertThat(two.broadcasts()).containsExactly("one");
  }

  /**
   * Channel rules hold on a follower: a private channel under {@code org:=app_metadata.org_id} is joined on the
   * follower by a member of the org and refused to another org's user there; the member receives, through the relay,
   * what a member on the leader broadcasts and tracks, and a database broadcast; the refused client receives none of
   * it.
   */
  @Test
  void onAFollowerAPrivateChannelUnderAChannelRuleAdmitsOnlyItsOrgAndGetsTheOtherPodsBroadcastsAndPresence()
      throws Exception {
    String secret = "cross-pod-channel-rules-secret-0123456789";
    startPods(2, LEASE, Map.of("SLIPSTREAM_JWT_SECRET", secret,
        "SLIPSTREAM_CHANNEL_RULES", "org:=app_metadata.org_id"));
    Pod leaderPod = pod(leaseHolder());
    Pod followerPod = pods.stream().filter(p -> p != leaderPod).findFirst().orElseThrow();
    within("the leader's relay to have the follower", () -> metric(leaderPod, "slipstream_relay_followers") == 1);
    String topic = "realtime:org:1";
    WebSocketTestClient sender = privateJoin(leaderPod, orgToken(secret, "1"), topic);
    WebSocketTestClient member = privateJoin(followerPod, orgToken(secret, "1"), topic);
    WebSocketTestClient outsider = privateJoin(followerPod, orgToken(secret, "2"), topic);
    within("the three join replies", () -> Stream.of(sender, member, outsider).allMatch(c -> joinReply(c) != null));
    assertThat(joinReply(sender).get(4).get("status").asText()).isEqualTo("ok");
    assertThat(joinReply(member).get(4).get("status").asText()).isEqualTo("ok");
    assertThat(joinReply(outsider).get(4).path("response").path("reason").asText()).isEqualTo(
        "Unauthorized: You do not have permissions to read from this Channel topic: org:1 (channel rule "
            + "org:=app_metadata.org_id: the token's app_metadata.org_id claim is not 1)");

    sender.send("[\"1\",\"2\",\"" + topic + "\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{\"from\":\"leader\"}}]");
    sender.send("[\"1\",\"3\",\"" + topic + "\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"shout\","
        + "\"payload\":{\"from\":\"leader\"}}]");
    postgres.execute("SELECT pg_logical_emit_message(true, 'slipstream.broadcast', "
        + "'{\"topic\":\"org:1\",\"private\":true,\"event\":\"shout\",\"payload\":{\"from\":\"database\"}}')");
    within("the follower's member to get the leader's presence and broadcast and the database's broadcast", () ->
        events(member, topic, "presence_diff").anyMatch(m -> m.get(4).path("joins").toString().contains("leader"))
            && events(member, topic, "broadcast").map(m -> m.get(4).path("payload").path("from").asText()).toList()
            .containsAll(List.of("leader", "database")));
    // Both reached the follower's topic, and every channel of a topic gets a broadcast in one pass: the outsider's
    // socket would hold them by now.
    assertThat(Stream.of("broadcast", "presence_diff", "presence_state")
        .flatMap(event -> events(outsider, topic, event))).as("what the refused client received").isEmpty();
  }

  private static String orgToken(String secret, String org) {
    Map<String, Object> claims = new java.util.LinkedHashMap<>(dev.slipstream.runtime.auth.TestTokens.claims(
        "authenticated", java.time.Instant.now().plusSeconds(3600)));
    claims.put("app_metadata", Map.of("org_id", org));
    return dev.slipstream.runtime.auth.TestTokens.hs256(secret, claims);
  }

  /** A socket on the pod, connected with {@code token}, joining the private {@code topic} with presence. */
  private WebSocketTestClient privateJoin(Pod pod, String token, String topic) throws Exception {
    WebSocketTestClient socket = WebSocketTestClient.connect(sockets, URI.create("ws://" + pod.host() + ":"
        + pod.port() + "/realtime/v1/websocket?vsn=2.0.0&apikey=" + token));
    clients.add(socket);
    socket.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{\"config\":{\"private\":true,\"broadcast\":"
        + "{\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":true},\"postgres_changes\":[]}}]");
    return socket;
  }

  private static JsonNode joinReply(WebSocketTestClient socket) {
    return socket.received.stream().map(CrossPodIT::tree)
        .filter(m -> m.get(3).asText().equals("phx_reply") && "1".equals(m.get(1).asText(null)))
        .findFirst().orElse(null);
  }

  private static Stream<JsonNode> events(WebSocketTestClient socket, String topic, String event) {
    return socket.received.stream().map(CrossPodIT::tree)
        .filter(m -> m.get(3).asText().equals(event) && m.get(2).asText().equals(topic));
  }

  /**
   * The realtime-js side ({@code src/test/node/cluster}): a client on each pod in one room sees the
   * union of the pods' presences and the others' broadcasts; a client joining later gets the whole
   * state; a killed follower's presences, then a killed leader's, leave on the survivors.
   */
  @Test
  void withRealtimeJsPresenceIsTheUnionOverThePodsAndADeadPodsPresencesLeave() throws Exception {
    Duration lease = Duration.ofSeconds(5);
    startPods(3, lease);
    Pod leaderPod = pod(leaseHolder());
    within("the leader's relay to have both followers", () -> metric(leaderPod, "slipstream_relay_followers") == 2);
    List<Pod> ordered = new ArrayList<>(List.of(leaderPod));
    pods.stream().filter(p -> p != leaderPod).forEach(ordered::add);
    NodeSuite suite = new NodeSuite(NodeSuite.sourceDirectory(), Path.of("target", "node"));
    System.out.println("[cross-pod realtime-js] " + suite.prepare());
    Map<String, String> env = new java.util.HashMap<>();
    env.put("SLIPSTREAM_REALTIME_URL", realtimeUrl(leaderPod));
    env.put("SLIPSTREAM_POD_URLS", String.join(",", ordered.stream().map(CrossPodIT::realtimeUrl).toList()));
    env.put("SLIPSTREAM_POD_PIDS", String.join(",", ordered.stream().map(p -> Long.toString(p.process().pid()))
        .toList()));
    env.put("SLIPSTREAM_PRESENCE_GRACE_MS", Long.toString(lease.multipliedBy(2).toMillis()));
    env.put("SLIPSTREAM_LEASE_MS", Long.toString(lease.toMillis()));
    env.put("SLIPSTREAM_VSN", "2.0.0");
    env.put("SLIPSTREAM_APIKEY", "anon");
    Path log = logDir.resolve("realtime-js.log");
    NodeSuite.Result result = suite.run(env, log, Duration.ofMinutes(3), "cluster/*.test.mjs");
    result.output().lines().filter(line -> line.contains("presence across pods:")).forEach(System.out::println);
    assertThat(result.exitCode()).as("node --test over src/test/node/cluster (%s)\n%s", log,
        NodeSuite.tail(result.output(), 80, log.toString())).isZero();
  }

  private static String realtimeUrl(Pod pod) {
    return "ws://" + pod.host() + ":" + pod.port() + "/realtime/v1";
  }

  // ---- clients ----

  private WebSocketTestClient socket(Pod pod) throws Exception {
    WebSocketTestClient socket = WebSocketTestClient.connect(sockets, URI.create("ws://" + pod.host() + ":"
        + pod.port() + "/realtime/v1/websocket?vsn=2.0.0&apikey=anon"));
    clients.add(socket);
    return socket;
  }

  /** A socket on the pod joined to the room with ack: true and self: false, as realtime-js joins it. */
  private Member join(Pod pod) {
    try {
      Member member = new Member(pod, socket(pod));
      member.socket().send("[\"1\",\"1\",\"" + ROOM + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":true,"
          + "\"self\":false},\"presence\":{\"key\":\"\"},\"postgres_changes\":[]}}]");
      within(pod.name() + "'s client to join", () -> member.reply("1") != null);
      assertThat(member.reply("1").get(4).get("status").asText()).isEqualTo("ok");
      return member;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void send(Member member, String from, String ref) {
    member.socket().send("[\"1\",\"" + ref + "\",\"" + ROOM + "\",\"broadcast\",{\"type\":\"broadcast\","
        + "\"event\":\"shout\",\"payload\":{\"from\":\"" + from + "\"}}]");
  }

  private static String query(String sql) {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? String.valueOf(rows.getString(1)) : null;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode tree(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  // ---- pods (as in ScaleOutIT) ----

  private void startPods(int count) {
    startPods(count, LEASE);
  }

  private void startPods(int count, Duration lease) {
    startPods(count, lease, Map.of());
  }

  private void startPods(int count, Duration lease, Map<String, String> extraEnvironment) {
    int port = RuntimeProcess.freePort();
    int relayPort = RuntimeProcess.freePort();
    for (int i = 1; i <= count; i++) {
      String host = "127.0.0." + (20 + i);
      String name = TENANT + "-runtime-" + i;
      Map<String, String> env = RuntimeProcess.environment(postgres, slot, PUBLICATION, port,
          logDir.resolve("spill-" + i));
      TenantPods.join(env, TENANT, NAMESPACE, name, host, relayPort, lease, kube.kubeconfig());
      env.putAll(extraEnvironment);
      pods.add(new Pod(name, host, port, RuntimeProcess.start(name, env, logDir.resolve(name + ".log"))));
    }
    for (Pod pod : pods) {
      within(pod.name() + " to be ready (GET /readyz)", () -> {
        if (!pod.process().isAlive()) {
          throw new AssertionError(pod.name() + " exited with " + pod.process().exitValue() + "\n"
              + pod.process().logTail());
        }
        return status(pod, "/readyz") == 200;
      });
    }
  }

  private Pod pod(String name) {
    return pods.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no pod named " + name));
  }

  private static String leaseHolder() {
    return TenantPods.leaseHolder(kube.client(), NAMESPACE, TENANT);
  }

  /** A sample of the pod's metrics: {@code name} is the metric's name, with its labels when it has any. */
  private static double metric(Pod pod, String name) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(pod.uri("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.body().lines().filter(line -> line.startsWith(name + " ")
              || (!name.contains("{") && line.startsWith(name + "{")))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
          .orElse(Double.NaN);
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static int status(Pod pod, String path) {
    try {
      return http.send(HttpRequest.newBuilder(pod.uri(path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void within(String what, Callable<Boolean> condition) {
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      StringBuilder logs = new StringBuilder();
      pods.forEach(pod -> logs.append(pod.process().logTail()).append('\n'));
      clients.forEach(client -> logs.append("a client received: ").append(client.received).append('\n'));
      pods.stream().filter(pod -> pod.process().isAlive()).forEach(pod -> logs.append(pod.name())
          .append(": relay broadcasts sent ").append(metric(pod, "slipstream_relay_broadcasts_total{direction=\"sent\"}"))
          .append(", received ").append(metric(pod, "slipstream_relay_broadcasts_total{direction=\"received\"}"))
          .append('\n'));
      throw new AssertionError("timed out after " + WAIT + " waiting for " + what + "\n" + logs, e);
    }
  }
}
