package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.cluster.ApiServerProxy.Outage;
import dev.slipstream.runtime.cluster.RecordingListener.Event;
import dev.slipstream.runtime.cluster.RecordingListener.Kind;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tenant's Lease on a real API server: pods elect one leader, hand over at once on a clean
 * shutdown, and a leader cut off from the API server stops before its Lease could run out for the
 * others. Lease duration 5 s (the runtime's default): renew deadline 3.33 s, retry period 1 s.
 */
class LeaseElectionIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.bare();

  private static final String LEASE = "acme-runtime-leader";
  private static final Duration LEASE_DURATION = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private String namespace;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : cleanup.reversed()) {
      closeable.close();
    }
  }

  @Test
  void threePodsElectOneLeaderAndACleanShutdownHandsTheLeaseOverAtOnce() {
    newNamespace();
    List<Pod> pods = List.of(pod(kube.client(), 1), pod(kube.client(), 2), pod(kube.client(), 3));
    pods.forEach(p -> p.election.start());

    Pod leader = awaitOneLeaderSeenByAll(pods);
    assertThat(leader.listener.count(Kind.STARTED)).isEqualTo(1);
    Lease lease = kube.client().leases().inNamespace(namespace).withName(LEASE).get();
    String holder = lease.getSpec().getHolderIdentity();
    assertThat(holder).isEqualTo(leader.election.identity());
    assertThat(LeaseIdentity.pod(holder)).isEqualTo(leader.name);
    assertThat(LeaseIdentity.relayAddress(holder)).contains(leader.settings.relayAddress());
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(5);

    long closing = System.nanoTime();
    Instant closedAt = Instant.now();
    leader.election.close();
    long closeMillis = (System.nanoTime() - closing) / 1_000_000;
    assertThat(leader.election.isLeader()).isFalse();
    Event stopped = leader.listener.last(Kind.STOPPED).orElseThrow();

    List<Pod> rest = pods.stream().filter(p -> p != leader).toList();
    Pod next = awaitOneLeaderSeenByAll(rest);
    Event started = next.listener.last(Kind.STARTED).orElseThrow();
    Duration handOver = Duration.between(closedAt, started.at());
    System.out.printf("[measure] leader closed -> next leader leads: %d ms (close() took %d ms; lease %d s)%n",
        handOver.toMillis(), closeMillis, LEASE_DURATION.toSeconds());
    // Released, not expired: well within a lease duration (the others try every 1-2.2 s).
    assertThat(handOver).isLessThan(LEASE_DURATION);
    assertThat(started.at()).as("the old leader had stopped before the new one started").isAfterOrEqualTo(stopped.at());
    pods.forEach(p -> assertThat(p.listener.wellOrdered()).as(p.name).isTrue());
  }

  @ParameterizedTest
  @EnumSource(Outage.class)
  void aLeaderCutOffFromTheApiServerStopsBeforeItsLeaseRunsOutAndRejoinsAsFollower(Outage outage) throws Exception {
    newNamespace();
    ApiServerProxy proxy = proxy();
    Pod cutOff = pod(proxiedClient(proxy), 1);
    cutOff.election.start();
    await().atMost(TIMEOUT).until(cutOff.election::isLeader);
    LeaseRenewals renewals = watchRenewals(cutOff.election.identity());
    List<Pod> others = List.of(pod(kube.client(), 2), pod(kube.client(), 3));
    others.forEach(p -> p.election.start());
    await().atMost(TIMEOUT).until(() -> others.stream()
        .allMatch(p -> p.election.leaderIdentity().orElse("").equals(cutOff.election.identity())));

    Instant cut = Instant.now();
    proxy.cut(outage);
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> !cutOff.election.isLeader());
    Event stopped = await().atMost(TIMEOUT).until(() -> cutOff.listener.last(Kind.STOPPED).orElse(null), Objects::nonNull);

    // As the others see it: the Lease's renewTime as last written by the cut-off leader.
    Instant lastRenewal = renewals.latest(kube.client(), namespace);
    Instant expires = lastRenewal.plus(LEASE_DURATION);
    System.out.printf("[measure] %s: cut -> stoppedLeading %d ms; %d ms after its last renewal; %d ms before its "
            + "Lease could run out%n", outage, Duration.between(cut, stopped.at()).toMillis(),
        Duration.between(lastRenewal, stopped.at()).toMillis(), Duration.between(stopped.at(), expires).toMillis());
    assertThat(stopped.at()).as("stoppedLeading before the Lease (renewed %s) could run out", lastRenewal)
        .isBefore(expires);

    Pod next = await().atMost(TIMEOUT).until(() -> others.stream().filter(p -> p.election.isLeader()).findFirst()
        .orElse(null), Objects::nonNull);
    Event started = next.listener.last(Kind.STARTED).orElseThrow();
    System.out.printf("[measure] %s: cut -> another pod leads %d ms%n", outage, Duration.between(cut, started.at()).toMillis());
    assertThat(started.at()).as("never two leaders").isAfter(stopped.at()).isAfterOrEqualTo(expires);

    proxy.restore();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(cutOff.election.leaderIdentity()).contains(next.election.identity());
      assertThat(cutOff.listener.last(Kind.LEADER).map(Event::identity)).contains(next.election.identity());
    });
    assertThat(cutOff.election.isLeader()).isFalse();
    assertThat(cutOff.listener.wellOrdered()).isTrue();
    assertThat(next.listener.wellOrdered()).isTrue();
  }

  @Test
  void aFollowerCutOffFromTheApiServerKeepsTakingPart() throws Exception {
    newNamespace();
    Pod leader = pod(kube.client(), 1);
    leader.election.start();
    await().atMost(TIMEOUT).until(leader.election::isLeader);
    ApiServerProxy proxy = proxy();
    Pod follower = pod(proxiedClient(proxy), 2);
    follower.election.start();
    await().atMost(TIMEOUT).until(() -> follower.election.leaderIdentity().isPresent());

    proxy.cut(Outage.FAIL_FAST);
    // It keeps trying (and failing) to read the Lease.
    await().atMost(TIMEOUT).until(() -> proxy.turnedAway() >= 3);
    assertThat(follower.election.isLeader()).isFalse();
    assertThat(follower.election.leaderIdentity()).contains(leader.election.identity());
    proxy.restore();

    Instant closed = Instant.now();
    leader.election.close();
    await().atMost(TIMEOUT).until(follower.election::isLeader);
    System.out.printf("[measure] follower back from an outage: leader closed -> it leads %d ms%n",
        Duration.between(closed, follower.listener.last(Kind.STARTED).orElseThrow().at()).toMillis());
    assertThat(follower.listener.wellOrdered()).isTrue();
  }

  // --- fixtures ---

  private record Pod(String name, ClusterSettings settings, LeaseElection election, RecordingListener listener) {
  }

  private Pod pod(KubernetesClient client, int n) {
    String name = "acme-runtime-" + n;
    ClusterSettings settings = new ClusterSettings("acme", namespace, name, "10.0.0." + n, LEASE, 4001,
        LEASE_DURATION, Duration.ofSeconds(5));
    RecordingListener listener = new RecordingListener();
    LeaseElection election = new LeaseElection(client, settings, listener);
    cleanup.add(election);
    return new Pod(name, settings, election, listener);
  }

  private Pod awaitOneLeaderSeenByAll(List<Pod> pods) {
    AtomicReference<Pod> leader = new AtomicReference<>();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<Pod> leading = pods.stream().filter(p -> p.election.isLeader()).toList();
      assertThat(leading).hasSize(1);
      String identity = leading.getFirst().election.identity();
      for (Pod pod : pods) {
        assertThat(pod.election.leaderIdentity()).as(pod.name).contains(identity);
        assertThat(pod.listener.last(Kind.LEADER).map(Event::identity)).as(pod.name).contains(identity);
      }
      leader.set(leading.getFirst());
    });
    return leader.get();
  }

  private void newNamespace() {
    namespace = "lease-" + NAMESPACES.incrementAndGet();
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
        .build()).create();
  }

  private ApiServerProxy proxy() throws Exception {
    ApiServerProxy proxy = new ApiServerProxy(URI.create(kube.client().getConfiguration().getMasterUrl()));
    cleanup.add(proxy);
    return proxy;
  }

  /** A client that reaches the API server only through the proxy. */
  private KubernetesClient proxiedClient(ApiServerProxy proxy) throws Exception {
    Config direct = Config.fromKubeconfig(Files.readString(kube.kubeconfig()));
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(direct).withMasterUrl(proxy.url()).build()).build();
    cleanup.add(client);
    return client;
  }

  /** The latest renewTime written by one holder, from a watch (and a last read) of the Lease. */
  private LeaseRenewals watchRenewals(String holder) {
    LeaseRenewals renewals = new LeaseRenewals(holder);
    renewals.seen(kube.client().leases().inNamespace(namespace).withName(LEASE).get());
    Watch watch = kube.client().leases().inNamespace(namespace).withName(LEASE).watch(renewals);
    cleanup.add(watch);
    return renewals;
  }

  private static final class LeaseRenewals implements Watcher<Lease> {

    private final String holder;
    private final AtomicReference<Instant> latest = new AtomicReference<>(Instant.EPOCH);

    LeaseRenewals(String holder) {
      this.holder = holder;
    }

    Instant latest(KubernetesClient client, String namespace) {
      seen(client.leases().inNamespace(namespace).withName(LEASE).get());
      return latest.get();
    }

    void seen(Lease lease) {
      if (lease != null && lease.getSpec() != null && holder.equals(lease.getSpec().getHolderIdentity())
          && lease.getSpec().getRenewTime() != null) {
        Instant renewed = lease.getSpec().getRenewTime().toInstant();
        latest.accumulateAndGet(renewed, (a, b) -> a.isAfter(b) ? a : b);
      }
    }

    @Override
    public void eventReceived(Action action, Lease lease) {
      seen(lease);
    }

    @Override
    public void onClose(WatcherException cause) {
    }
  }
}
