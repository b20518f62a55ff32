package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import dev.slipstream.runtime.relay.Transactions.Transaction;
import dev.slipstream.runtime.tls.RelayTls;
import dev.slipstream.runtime.tls.ServerTls;
import dev.slipstream.testing.tls.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay over TLS with the client port's certificate, leader and followers in one process:
 * the stream flows through it; a follower refuses a leader whose certificate is another tenant's
 * (same CA, another name) or another CA's; without {@code ca.crt} the certificate is pinned; and
 * a follower speaking plain TCP to a TLS leader is refused.
 */
class RelayTlsTest {

  private static final TestCertificates.Authority CLUSTER_CA = TestCertificates.authority("cluster issuer");
  private static final String TENANT = "acme-runtime.acme.svc";

  @TempDir
  Path temp;

  private final Transactions transactions = new Transactions();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables.reversed()) {
      closeable.close();
    }
  }

  @Test
  void theStreamFlowsOverTlsBetweenPodsOfTheTenant() throws IOException {
    RelayTls tls = tls("tenant", CLUSTER_CA.issue("acme-runtime", TENANT, "acme-runtime"), true);
    RelayHarness leader = leader(tls);
    Follower follower = leader.follower("pod-b", tls);
    eventually().until(follower.client::connected);

    List<Transaction> sent = transactions.next(20, 3, 200);
    sent.forEach(transaction -> transaction.feed(leader.backlog));
    eventually().untilAsserted(() -> assertThat(follower.sink.stream()).isEqualTo(Transactions.calls(sent)));
    assertThat(follower.client.problem()).isNull();
  }

  @Test
  void aLeaderWithAnotherTenantsCertificateFromTheSameCaIsRefused() throws IOException {
    RelayHarness leader = leader(tls("other", CLUSTER_CA.issue("other-runtime", "other-runtime.other.svc"), true));
    Follower follower = leader.follower("pod-b", tls("tenant", CLUSTER_CA.issue("acme-runtime", TENANT), true));

    eventually().untilAsserted(() -> assertThat(follower.client.problem())
        .startsWith("the TLS handshake with the leader's relay at").contains("failed: ").contains(TENANT));
    assertThat(follower.client.connected()).isFalse();
    assertThat(follower.sink.stream()).isEmpty();
  }

  @Test
  void aLeaderWithAnotherCasCertificateIsRefused() throws IOException {
    TestCertificates.Authority elsewhere = TestCertificates.authority("someone else");
    RelayHarness leader = leader(tls("elsewhere", elsewhere.issue("acme-runtime", TENANT), true));
    Follower follower = leader.follower("pod-b", tls("tenant", CLUSTER_CA.issue("acme-runtime", TENANT), true));

    eventually().untilAsserted(() -> assertThat(follower.client.problem())
        .startsWith("the TLS handshake with the leader's relay at"));
    assertThat(follower.client.connected()).isFalse();
  }

  @Test
  void withoutACaTheSecretsOwnCertificateIsPinned() throws IOException {
    TestCertificates.Issued shared = CLUSTER_CA.issue("acme-runtime", TENANT);
    RelayTls tls = tls("pinned", shared, false);
    RelayHarness leader = leader(tls);
    Follower follower = leader.follower("pod-b", tls);
    eventually().until(follower.client::connected);

    // The same name from the same CA, but not the Secret's certificate: refused.
    RelayHarness impostor = leader(tls("impostor", CLUSTER_CA.issue("acme-runtime", TENANT), false));
    Follower fooled = impostor.follower("pod-c", tls);
    eventually().untilAsserted(() -> assertThat(fooled.client.problem())
        .startsWith("the TLS handshake with the leader's relay at"));
    assertThat(fooled.client.connected()).isFalse();
  }

  @Test
  void aFollowerSpeakingPlainTcpToATlsLeaderIsRefused() throws IOException {
    RelayHarness leader = leader(tls("tenant", CLUSTER_CA.issue("acme-runtime", TENANT), true));
    Follower plain = leader.follower("pod-b", (RelayTls) null);

    eventually().untilAsserted(() -> assertThat(plain.client.problem()).isNotNull());
    assertThat(plain.client.connected()).isFalse();
    assertThat(leader.server.followers()).isZero();
  }

  private RelayHarness leader(RelayTls tls) {
    RelayHarness harness = new RelayHarness(RelayBacklog.DEFAULT_MAX_BYTES, RelayHarness.settings(Duration.ofSeconds(10)),
        tls);
    closeables.add(harness);
    harness.backlog.streamStartsAt(0, 0x7000_0000L);
    return harness;
  }

  /** The pair as the operator mounts a Secret: tls.crt, tls.key and (cert-manager's) ca.crt. */
  private RelayTls tls(String name, TestCertificates.Issued issued, boolean withCa) throws IOException {
    Path dir = Files.createDirectories(temp.resolve(name));
    issued.writeTo(dir);
    if (!withCa) {
      Files.delete(dir.resolve("ca.crt"));
    }
    RelayTls tls = RelayTls.load(new ServerTls.Files(dir.resolve("tls.crt"), dir.resolve("tls.key")),
        Duration.ofHours(1));
    closeables.add(tls);
    return tls;
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20));
  }
}
