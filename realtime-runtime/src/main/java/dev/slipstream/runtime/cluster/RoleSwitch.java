package dev.slipstream.runtime.cluster;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.relay.PodBroadcast;
import dev.slipstream.runtime.relay.PresenceListener;
import dev.slipstream.runtime.relay.RelayBacklog;
import dev.slipstream.runtime.relay.RelayClient;
import dev.slipstream.runtime.relay.RelayMetrics;
import dev.slipstream.runtime.relay.RelayServer;
import dev.slipstream.runtime.tls.RelayTls;
import dev.slipstream.runtime.relay.StreamPoint;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.replication.SlotReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the Lease says into what the pod runs. The leader reads the slot into its fan-out and
 * its relay backlog, serves the relay, and confirms to PostgreSQL only what every connected follower
 * acknowledged; a follower feeds its fan-out from the leader's relay. Either way the fan-out, its
 * resume ring and the backlog stay: a pod that changes role resumes after the last change it has,
 * so its clients see no change twice and none missing.
 *
 * <p>One owner: every change of role runs on this class's own thread, in the order the Lease
 * reported them, so a follower's relay client is closed (and will never feed again) before the same
 * pod starts reading the slot, and the slot is let go before the Lease is.
 *
 * <p><b>Client broadcasts</b> cross pods through the leader's relay: {@link #broadcast} sends one
 * of this pod's clients' (the leader to every follower; a follower to the leader, which passes it
 * on), and what the others send goes to the sink given to {@link #broadcasts}. <b>Presence</b>
 * messages take the same paths ({@link #presence}): the relay carries them, the pod's presence
 * exchange says what they mean.
 */
public final class RoleSwitch implements LeadershipListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoleSwitch.class);

  /** The pod's role as its status entry names it. */
  public enum Role {
    STARTING("Starting"), LEADER("Leader"), FOLLOWER("Follower");

    private final String text;

    Role(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  private final ClusterSettings cluster;
  private final ReplicationSettings replication;
  private final String listenHost;
  private final FanOut fanOut;
  private final RelayBacklog backlog;
  private final RelayMetrics relayMetrics;
  private final Clock clock;
  private final MeterRegistry registry;
  private final List<byte[]> secrets;
  private final Runnable roleChanged;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("role-switch").daemon().unstarted(r));
  private final String identity;

  /** How long a follower waits for the leader to acknowledge a broadcast a client asked an ack for. */
  private static final int BROADCAST_ACK_TIMEOUT_SECONDS = 3;
  static final Duration BROADCAST_ACK_TIMEOUT = Duration.ofSeconds(BROADCAST_ACK_TIMEOUT_SECONDS);

  private volatile Consumer<PodBroadcast> broadcastSink = broadcast -> { };
  private volatile int maxBroadcastPayloadBytes = 1 << 20;
  private volatile PresenceListener followersPresence = PresenceListener.NONE;
  private volatile PresenceListener leaderPresence = PresenceListener.NONE;
  private volatile int maxPresenceMessageBytes;
  private volatile Role role = Role.STARTING;
  private volatile SlotReader reader;
  private volatile RelayServer server;
  private volatile RelayClient client;
  private volatile RelayTls relayTls;
  private volatile String leader;
  /**
   * Where the last relay client got to. A follower that was welcomed but fed nothing yet has no
   * position in its fan-out, yet it is live from the leader's start: the next leader must resume it
   * from there, or what was committed in between never reaches its clients.
   */
  private StreamPoint lastFed = StreamPoint.NONE;

  /**
   * @param roleChanged called (on this class's thread) after every change of role, to report it at once
   */
  public RoleSwitch(ClusterSettings cluster, ReplicationSettings replication, String listenHost, FanOut fanOut,
      RelayBacklog backlog, Clock clock, MeterRegistry registry, Runnable roleChanged) {
    this.cluster = cluster;
    this.replication = replication;
    this.listenHost = listenHost;
    this.fanOut = fanOut;
    this.backlog = backlog;
    this.relayMetrics = new RelayMetrics(registry);
    this.clock = clock;
    this.registry = registry;
    this.secrets = relaySecrets(cluster, replication);
    this.roleChanged = roleChanged;
    this.identity = LeaseIdentity.of(cluster);
  }

  /**
   * What the pods prove to each other on the relay, preferred first: the tenant's relay key, which
   * the operator makes once and a rotation of the database password does not touch (pods with the
   * old and the new password follow each other during the roll), then the database password, which
   * keyed the relay before it had a key of its own (so pods of that version and this one follow each
   * other during the upgrade's roll; whoever holds it can read the rows anyway). Without a relay key
   * (a runtime run by hand), the database password alone.
   */
  static List<byte[]> relaySecrets(ClusterSettings cluster, ReplicationSettings replication) {
    byte[] password = replication.password().getBytes(StandardCharsets.UTF_8);
    if (cluster.relayKey() == null || cluster.relayKey().equals(replication.password())) {
      return List.of(password);
    }
    return List.of(cluster.relayKey().getBytes(StandardCharsets.UTF_8), password);
  }

  /** The relay speaks TLS with this certificate from the next role change on; plain TCP unless set. */
  public void relayTls(RelayTls tls) {
    this.relayTls = tls;
  }

  @Override
  public void startedLeading() {
    thread.execute(this::lead);
  }

  @Override
  public void stoppedLeading() {
    // Waits: the slot must be let go before the Lease is released or runs out.
    try {
      thread.submit(this::stepDown).get(replication.maxBackoff().toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("Stepping down took too long or failed: {}", e.toString());
    }
  }

  @Override
  public void leaderChanged(String identity) {
    thread.execute(() -> {
      leader = identity;
      if (identity != null && !this.identity.equals(identity) && role != Role.LEADER) {
        follow(identity);
      }
    });
  }

  /**
   * Where the other pods' client broadcasts go on this pod (its clients' channels; called on a relay
   * event loop, must not block), and the largest payload one may carry. Set before the election starts.
   */
  public void broadcasts(Consumer<PodBroadcast> sink, int maxPayloadBytes) {
    this.broadcastSink = sink;
    this.maxBroadcastPayloadBytes = maxPayloadBytes;
  }

  /**
   * Where presence hears of this pod's links: {@code fromFollowers} while it leads (each follower),
   * {@code fromLeader} while it follows; and the largest presence message a follower may send. Set
   * before the election starts.
   */
  public void presence(PresenceListener fromFollowers, PresenceListener fromLeader, int maxMessageBytes) {
    this.followersPresence = fromFollowers;
    this.leaderPresence = fromLeader;
    this.maxPresenceMessageBytes = maxMessageBytes;
  }

  /** A presence message to the leader, while this pod follows one; dropped otherwise. Any thread. */
  public void presenceToLeader(byte[] message) {
    RelayClient current = client;
    if (current != null) {
      current.sendPresence(message);
    }
  }

  /** A presence message to one follower, while this pod leads; dropped otherwise. Any thread. */
  public void presenceToFollower(String pod, byte[] message) {
    RelayServer relay = server;
    if (relay != null) {
      relay.sendPresence(pod, message);
    }
  }

  /** A presence message to every follower but {@code exceptPod}, while this pod leads. Any thread. */
  public void presenceToFollowers(String exceptPod, byte[] message) {
    RelayServer relay = server;
    if (relay != null) {
      relay.sendPresenceToAll(exceptPod, message);
    }
  }

  /**
   * Sends a broadcast of this pod's clients to the tenant's other pods. The result completes when
   * the leader has it: at once on the leader; on a follower when the leader acknowledged it (with
   * {@code acknowledged}) or the frame was handed to the connection (without). It fails, saying why,
   * when there is no leader to relay to, or the leader does not acknowledge within
   * {@value #BROADCAST_ACK_TIMEOUT_SECONDS} s.
   */
  public CompletableFuture<Void> broadcast(PodBroadcast broadcast, boolean acknowledged) {
    RelayServer relay = server;
    if (relay != null) {
      relay.broadcast(broadcast);
      return CompletableFuture.completedFuture(null);
    }
    RelayClient current = client;
    if (current != null) {
      return current.broadcast(broadcast, acknowledged, BROADCAST_ACK_TIMEOUT);
    }
    return CompletableFuture.failedFuture(new IllegalStateException("no leader to relay the broadcast to yet"));
  }

  private void lead() {
    closeClient();
    RelayServer relay = new RelayServer(RelayServer.Settings.defaults(listenHost, cluster.relayPort()), secrets,
        backlog, relayMetrics).onBroadcast(broadcastSink).broadcastPayloadLimit(maxBroadcastPayloadBytes)
        .onPresence(followersPresence, maxPresenceMessageBytes).tls(relayTls);
    server = relay; // before it starts: presence answers a follower's link through it at once
    try {
      relay.start();
    } catch (RuntimeException e) {
      server = null;
      throw e;
    }
    SlotReader slot = SlotReader.start(replication, new Tee(fanOut, backlog), clock, registry, fanOut.lastPosition(),
        relay::confirmable);
    relay.onAcksAdvanced(slot.source()::reconfirm);
    reader = slot;
    changeRole(Role.LEADER);
    log.info("Leading: streaming slot {} after {} and relaying on {}", replication.slotName(),
        fanOut.lastPosition(), cluster.relayAddress());
  }

  private void stepDown() {
    if (role != Role.LEADER) {
      return;
    }
    SlotReader slot = reader;
    reader = null;
    if (slot != null) {
      slot.close();
    }
    RelayServer relay = server;
    server = null;
    if (relay != null) {
      relay.close();
    }
    changeRole(Role.STARTING);
    log.info("Stopped leading: slot {} let go", replication.slotName());
    String current = leader;
    if (current != null && !identity.equals(current)) {
      follow(current);
    }
  }

  private void follow(String leaderIdentity) {
    Optional<String> address = LeaseIdentity.relayAddress(leaderIdentity);
    if (address.isEmpty()) {
      log.warn("The Lease's holder {} names no relay address; waiting for another holder", leaderIdentity);
      return;
    }
    closeClient();
    StreamPoint taken = fanOut.committedLsn() == 0 && fanOut.lastPosition() == null ? StreamPoint.NONE
        : new StreamPoint(fanOut.committedLsn(), fanOut.lastPosition());
    StreamPoint from = Long.compareUnsigned(lastFed.endLsn(), taken.endLsn()) > 0 ? lastFed : taken;
    RelayClient following = new RelayClient(socketAddress(address.get()), cluster.pod(), secrets, fanOut, backlog,
        from, fanOut::gap, relayMetrics, RelayClient.Settings.DEFAULTS).onBroadcast(broadcastSink)
        .onPresence(leaderPresence).tls(relayTls);
    client = following; // before it starts: presence answers the link through it at once
    following.start();
    changeRole(Role.FOLLOWER);
    log.info("Following {} through its relay at {}", LeaseIdentity.pod(leaderIdentity), address.get());
  }

  private void closeClient() {
    RelayClient current = client;
    client = null;
    if (current != null) {
      current.close();
      lastFed = current.fed();
    }
  }

  private void changeRole(Role next) {
    if (role != next) {
      role = next;
      roleChanged.run();
    }
  }

  static InetSocketAddress socketAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }

  public Role role() {
    return role;
  }

  /** The slot's reader while this pod leads; null otherwise. */
  public SlotReader reader() {
    return reader;
  }

  /** Whether the pod serves changes: it streams the slot, or it is connected to the leader's relay. */
  public boolean ready() {
    return problem() == null;
  }

  /** Why the pod does not serve changes; null when it does. */
  public String problem() {
    return switch (role) {
      case LEADER -> {
        SlotReader slot = reader;
        if (slot == null || slot.source().connects() == 0) {
          yield "opening the replication slot";
        }
        yield slot.source().lastError() == null ? null : "replication: " + slot.source().lastError();
      }
      case FOLLOWER -> {
        RelayClient current = client;
        if (current == null) {
          yield "no leader to follow yet";
        }
        yield current.connected() ? null : Optional.ofNullable(current.problem()).orElse("connecting to the leader");
      }
      case STARTING -> "waiting for the tenant's Lease to name a leader";
    };
  }

  public String relayAddress() {
    return cluster.relayAddress();
  }

  /** Stops whatever the pod runs; the Lease itself is released by its election. */
  @Override
  public void close() {
    try {
      thread.submit(() -> {
        stepDown();
        closeClient();
      }).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("Stopping the pod's role failed: {}", e.toString());
    }
    thread.shutdownNow();
    backlog.close();
  }

  /** The leader's slot feeds its own clients and its followers, in that order, on the replication thread. */
  private record Tee(ChangeSink first, ChangeSink second) implements ChangeSink {
    @Override
    public void accept(ChangeEvent event) {
      first.accept(event);
      second.accept(event);
    }

    @Override
    public void committed(long endLsn) {
      first.committed(endLsn);
      second.committed(endLsn);
    }

    @Override
    public void streamStartsAt(long confirmedLsn, long serverWalEnd) {
      first.streamStartsAt(confirmedLsn, serverWalEnd);
      second.streamStartsAt(confirmedLsn, serverWalEnd);
    }

    @Override
    public void batchStarts() {
      first.batchStarts();
      second.batchStarts();
    }

    @Override
    public void batchEnds() {
      first.batchEnds();
      second.batchEnds();
    }
  }
}
