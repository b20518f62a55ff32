package dev.slipstream.runtime.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.auth.TestTokens;
import dev.slipstream.runtime.faults.TenantProcesses.Pod;
import dev.slipstream.testing.SseTestClient;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.postgres.LedgerWriter;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tenant's Secret rotated while clients are connected, as the operator rolls the runtime pods
 * (a Deployment of two with {@code maxSurge 1, maxUnavailable 1}: a new pod is added, then old pods
 * stop one at a time, each with SIGTERM and its drain). Real runtime processes, a real PostgreSQL
 * whose role logs in with a password (scram-sha-256), a real API server for the Lease; SSE clients
 * that resume with {@code Last-Event-ID}, as EventSource does.
 */
class SecretRotationIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LEASE = Duration.ofSeconds(5);
  private static final String NAMESPACE = "tenants";
  private static final String PUBLICATION = "rotation_it";
  private static final String OLD_JWT_SECRET = "old-jwt-secret-of-at-least-32-characters-long";
  private static final String NEW_JWT_SECRET = "new-jwt-secret-of-at-least-32-characters-long";
  private static final String OLD_PASSWORD = "Old-Password-1";
  private static final String NEW_PASSWORD = "New-Password-2";
  /** What the operator's relay Secret holds: 32 random bytes, base64. */
  private static final String RELAY_KEY = "q3Jm0c8vYk2dX1pR7sT4uV6wZ9aB5eH0iL3nO8gK2fM=";
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private TenantProcesses pods;
  private final List<SseTestClient> clients = new ArrayList<>();

  @BeforeAll
  static void database() {
    postgres.execute(
        "CREATE TABLE ledger (id bigint PRIMARY KEY, body text NOT NULL)",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE ledger WITH (publish = 'insert')");
    postgres.requirePassword("rot_jwt", OLD_PASSWORD);
    postgres.requirePassword("rot_pw", OLD_PASSWORD);
    postgres.requirePassword("rot_up", OLD_PASSWORD);
  }

  @AfterEach
  void stopEverything() {
    clients.forEach(SseTestClient::close);
    if (pods != null) {
      pods.close();
    }
  }

  @Test
  void aJwtSecretRotatedDuringARollRefusesOldTokensAndLosesNothingForAClientThatResumes() throws Exception {
    pods = tenant("rot_jwt");
    Map<String, String> old = Map.of("SLIPSTREAM_DB_USER", "rot_jwt", "SLIPSTREAM_DB_PASSWORD", OLD_PASSWORD,
        "SLIPSTREAM_JWT_SECRET", OLD_JWT_SECRET);
    Map<String, String> rotated = Map.of("SLIPSTREAM_DB_USER", "rot_jwt", "SLIPSTREAM_DB_PASSWORD", OLD_PASSWORD,
        "SLIPSTREAM_JWT_SECRET", NEW_JWT_SECRET);
    Pod first = pods.startReady(old);
    Pod second = pods.startReady(old);
    pods.within("a leader", () -> pods.leader() != null);
    Pod leader = pods.leader();
    Pod follower = leader == first ? second : first;
    String oldToken = token(OLD_JWT_SECRET);
    String newToken = token(NEW_JWT_SECRET);
    SseTestClient before = sse(follower, oldToken, null);
    pods.within("the client subscribed", () -> TenantProcesses.metric(follower, "slipstream_subscriptions") == 1);

    try (LedgerWriter writer = LedgerWriter.ledger(postgres, 50).start()) {
      pods.within("100 rows", () -> before.changes().size() >= 100);
      // The roll: a new pod with the new secret first (surge), then the old ones, one at a time.
      Pod surge = pods.startReady(rotated);
      long stopping = System.nanoTime();
      pods.stop(follower);
      pods.within("the client's stream to end (drain)", before::ended);
      String lastSeen = before.changes().getLast().id();

      HttpResponse<String> refused = get(surge, oldToken, lastSeen);
      SseTestClient after = sse(surge, newToken, lastSeen);
      pods.within("the resumed client to receive rows", () -> !after.changes().isEmpty());
      long resumedAt = after.changes().getFirst().receivedNanos();

      Pod replacement = pods.startReady(rotated);
      long committedAtLeaderStop = writer.committed();
      pods.stop(leader);
      pods.within("a new pod to lead", () -> pods.leader() == surge || pods.leader() == replacement);
      pods.within("rows committed after the old leader stopped",
          () -> rowId(after.changes().getLast()) > committedAtLeaderStop + 50);
      HttpResponse<String> stillRefused = get(replacement, oldToken, null);

      long last = writer.stop();
      pods.within("every row", () -> rowId(after.changes().getLast()) == last);
      List<SseTestClient.Event> received = new ArrayList<>(before.changes());
      received.addAll(after.changes());
      assertExactlyOnceInOrder(received, last);
      assertThat(after.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
      System.out.printf("FAULT JWT secret rotated during a roll of 2 pods: %d rows committed, lost 0, duplicated 0;"
              + " the old token refused by the new pods with %d %s (and again after the roll: %d); the client, on a"
              + " follower stopped by the roll, received again %d ms after its pod's SIGTERM (drain window 1 s)%n",
          last, refused.statusCode(), refused.body(), stillRefused.statusCode(), ms(stopping, resumedAt));
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).contains("Failed to validate JWT signature");
      assertThat(stillRefused.statusCode()).isEqualTo(401);
    }
  }

  /**
   * The database password rotated ({@code ALTER ROLE}, then the Secret), and the roll of a tenant of two
   * that follows it: the relay is keyed with the tenant's relay key, which the rotation does not touch,
   * so the new pods (new password) follow the old leader (old password) while it still runs, become
   * ready, and take over when it stops. Before the relay had a key of its own the old leader refused
   * them ({@code bad_secret}) and a roll of two or more pods stalled.
   */
  @Test
  void aDatabasePasswordRotatedDuringARollOfTwoPodsKeepsTheRelayAndLosesNothing() throws Exception {
    pods = tenant("rot_pw");
    Map<String, String> old = Map.of("SLIPSTREAM_DB_USER", "rot_pw", "SLIPSTREAM_DB_PASSWORD", OLD_PASSWORD,
        "SLIPSTREAM_JWT_SECRET", OLD_JWT_SECRET, "SLIPSTREAM_RELAY_KEY", RELAY_KEY);
    Map<String, String> rotated = Map.of("SLIPSTREAM_DB_USER", "rot_pw", "SLIPSTREAM_DB_PASSWORD", NEW_PASSWORD,
        "SLIPSTREAM_JWT_SECRET", OLD_JWT_SECRET, "SLIPSTREAM_RELAY_KEY", RELAY_KEY);
    Roll roll = rollTwoPods(old, rotated, onLeader -> {
      postgres.execute("ALTER ROLE rot_pw PASSWORD '" + NEW_PASSWORD + "'");
      int atRotation = onLeader.changes().size();
      pods.within("50 more rows over the sessions opened with the old password",
          () -> onLeader.changes().size() >= atRotation + 50);
    });
    System.out.printf("FAULT database password rotated during a roll of 2 pods (relay key unchanged): %s%n", roll);
    assertThat(roll.refused()).as("relay handshakes the old leader refused").isZero();
    // The relay key never reaches a log or /metrics (plain or base64).
    String seen = pods.logs() + TenantProcesses.body(pods.leader(), "/metrics");
    assertThat(seen).contains("Following").contains("slipstream_relay_followers");
    assertThat(seen).doesNotContain(RELAY_KEY)
        .doesNotContain(Base64.getEncoder().encodeToString(RELAY_KEY.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The operator's upgrade to the version that makes a relay key: the old pods key the relay with the
   * database password alone, the new ones hold the relay key and the password. The new pods' first
   * handshake with the relay key is refused by the old leader; the next proves the password, so they
   * follow it, become ready, and the roll goes through.
   */
  @Test
  void theUpgradeToARelayKeyRollsTwoPodsWithoutStalling() throws Exception {
    pods = tenant("rot_up");
    Map<String, String> before = Map.of("SLIPSTREAM_DB_USER", "rot_up", "SLIPSTREAM_DB_PASSWORD", OLD_PASSWORD,
        "SLIPSTREAM_JWT_SECRET", OLD_JWT_SECRET);
    Map<String, String> upgraded = Map.of("SLIPSTREAM_DB_USER", "rot_up", "SLIPSTREAM_DB_PASSWORD", OLD_PASSWORD,
        "SLIPSTREAM_JWT_SECRET", OLD_JWT_SECRET, "SLIPSTREAM_RELAY_KEY", RELAY_KEY);
    Roll roll = rollTwoPods(before, upgraded, onLeader -> { });
    System.out.printf("FAULT upgrade to a relay key during a roll of 2 pods: %s%n", roll);
    assertThat(roll.refused()).as("each new pod's relay key, refused once by the old leader").isPositive();
  }

  /** What a roll of two pods measured; lost and duplicated rows are asserted to be none. */
  private record Roll(long rows, long surgeReadyMs, long replacementReadyMs, double refused, long takeoverMs) {
    @Override
    public String toString() {
      return rows + " rows committed, lost 0, duplicated 0 (both clients); the new pods followed the old leader and"
          + " were ready " + surgeReadyMs + " ms and " + replacementReadyMs + " ms after they started, relay"
          + " handshakes refused as bad_secret: " + (long) refused + "; after the old leader's SIGTERM a new pod led"
          + " and both were ready in " + takeoverMs + " ms";
    }
  }

  /** What happens with rows flowing before the roll starts; given the leader's client. */
  private interface BeforeRoll {
    void run(SseTestClient onLeader) throws Exception;
  }

  /**
   * Two pods started with {@code old}, an SSE client on each; with a writer committing 50 rows a second,
   * {@code beforeRoll}, then the roll to {@code rolled} as the Deployment makes it: a new pod (it must
   * follow the old leader and be ready while that leads), the old follower stopped (its client resumes
   * on the new pod), a second new pod (the same), the old leader stopped (its client resumes on the
   * second new pod). Every row reaches both clients once, in order, with no gap notice.
   */
  private Roll rollTwoPods(Map<String, String> old, Map<String, String> rolled, BeforeRoll beforeRoll)
      throws Exception {
    Pod first = pods.startReady(old);
    Pod second = pods.startReady(old);
    pods.within("a leader", () -> pods.leader() != null);
    Pod leader = pods.leader();
    Pod follower = leader == first ? second : first;
    String token = token(OLD_JWT_SECRET);
    SseTestClient onFollower = sse(follower, token, null);
    SseTestClient onLeader = sse(leader, token, null);
    pods.within("both clients subscribed", () -> TenantProcesses.metric(follower, "slipstream_subscriptions") == 1
        && TenantProcesses.metric(leader, "slipstream_subscriptions") == 1);

    try (LedgerWriter writer = LedgerWriter.ledger(postgres, 50).start()) {
      pods.within("100 rows on both", () -> onFollower.changes().size() >= 100 && onLeader.changes().size() >= 100);
      beforeRoll.run(onLeader);

      long surgeStarted = System.nanoTime();
      Pod surge = pods.startReady(rolled);
      long surgeReady = System.nanoTime();
      assertThat(pods.leader()).as("the old leader still leads: the new pod follows it").isSameAs(leader);
      pods.stop(follower);
      pods.within("the follower's client's stream to end (drain)", onFollower::ended);
      SseTestClient followerResumed = sse(surge, token, onFollower.changes().getLast().id());

      long replacementStarted = System.nanoTime();
      Pod replacement = pods.startReady(rolled);
      long replacementReady = System.nanoTime();
      assertThat(pods.leader()).as("the old leader still leads: the second new pod follows it too").isSameAs(leader);
      double refused = relayRejections(leader, "bad_secret");
      long committedAtLeaderStop = writer.committed();
      long stopping = System.nanoTime();
      pods.stop(leader);
      pods.within("a new pod to lead, both new pods ready", () -> (pods.leader() == surge
          || pods.leader() == replacement) && TenantProcesses.status(surge, "/readyz") == 200
          && TenantProcesses.status(replacement, "/readyz") == 200);
      long newLeaderReady = System.nanoTime();
      pods.within("the leader's client's stream to end (drain)", onLeader::ended);
      SseTestClient leaderResumed = sse(replacement, token, onLeader.changes().getLast().id());
      pods.within("rows committed after the old leader stopped", () -> !leaderResumed.changes().isEmpty()
          && rowId(leaderResumed.changes().getLast()) > committedAtLeaderStop + 50);

      long last = writer.stop();
      pods.within("every row on both resumed clients", () -> rowId(followerResumed.changes().getLast()) == last
          && rowId(leaderResumed.changes().getLast()) == last);
      List<SseTestClient.Event> followersClient = new ArrayList<>(onFollower.changes());
      followersClient.addAll(followerResumed.changes());
      List<SseTestClient.Event> leadersClient = new ArrayList<>(onLeader.changes());
      leadersClient.addAll(leaderResumed.changes());
      assertExactlyOnceInOrder(followersClient, last);
      assertExactlyOnceInOrder(leadersClient, last);
      assertThat(followerResumed.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
      assertThat(leaderResumed.events).as("no gap notice").noneMatch(e -> "system".equals(e.event()));
      return new Roll(last, ms(surgeStarted, surgeReady), ms(replacementStarted, replacementReady), refused,
          ms(stopping, newLeaderReady));
    }
  }

  // ---- helpers ----

  private TenantProcesses tenant(String name) {
    String slot = name + "_slot";
    // Each test's writer counts from 1 (the publication does not publish TRUNCATE).
    postgres.execute("TRUNCATE ledger", "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    String tenant = name.replace('_', '-');
    TenantProcesses.createTenant(kube, NAMESPACE, tenant);
    return new TenantProcesses(postgres, kube, NAMESPACE, tenant, slot, PUBLICATION, LEASE,
        Path.of("target", "secret-rotation-it", name));
  }

  private static String token(String secret) {
    return TestTokens.hs256(secret, "authenticated", Instant.now().plusSeconds(3600));
  }

  private SseTestClient sse(Pod pod, String token, String lastEventId) {
    SseTestClient client = SseTestClient.open(pod.uri(path(token)), lastEventId);
    clients.add(client);
    return client;
  }

  private static String path(String token) {
    return "/realtime/v1/sse?schema=public&table=ledger&event=INSERT&apikey=" + token;
  }

  /** One request for the stream: its status and (for a refusal) body; a stream is cut off after its head. */
  private static HttpResponse<String> get(Pod pod, String token, String lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(pod.uri(path(token))).timeout(Duration.ofSeconds(5));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double relayRejections(Pod pod, String reason) {
    return TenantProcesses.body(pod, "/metrics").lines()
        .filter(l -> l.startsWith("slipstream_relay_rejected_total{") && l.contains("reason=\"" + reason + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static void assertExactlyOnceInOrder(List<SseTestClient.Event> events, long last) {
    List<Long> received = events.stream().map(SecretRotationIT::rowId).toList();
    Set<Long> seen = new HashSet<>();
    List<Long> repeated = received.stream().filter(id -> !seen.add(id)).toList();
    List<Long> missing = LongStream.rangeClosed(1, last).filter(id -> !seen.contains(id)).boxed().toList();
    assertThat(repeated).as("rows delivered twice").isEmpty();
    assertThat(missing).as("committed rows never delivered").isEmpty();
    assertThat(received).as("rows in commit order").isSorted();
  }

  private static long rowId(SseTestClient.Event event) {
    try {
      return JSON.readTree(event.data()).get("new").get("id").asLong();
    } catch (IOException e) {
      throw new AssertionError("not a change: " + event, e);
    }
  }

  private static long ms(long from, long to) {
    return Duration.ofNanos(to - from).toMillis();
  }
}
