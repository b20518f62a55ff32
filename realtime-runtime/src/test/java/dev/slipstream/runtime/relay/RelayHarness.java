package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.tls.RelayTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A leader (backlog and relay server) and followers (sink, backlog, client) in one process. */
final class RelayHarness implements AutoCloseable {

  static final byte[] SECRET = "tenant-db-password-\u00e9".getBytes(StandardCharsets.UTF_8);
  static final RelayClient.Settings CLIENT = new RelayClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5),
      Duration.ofMillis(20), Duration.ofMillis(200));

  /** A follower pod. */
  static final class Follower {
    final String pod;
    final RecordingSink sink = new RecordingSink();
    final RelayBacklog backlog;
    final List<Long> gaps = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RelayClient client;

    Follower(String pod, RelayBacklog backlog) {
      this.pod = pod;
      this.backlog = backlog;
    }

    /** Stops reading from the leader (on the client's loop, so no read slips through after). */
    void pause() {
      client.channel().eventLoop().submit(() -> client.channel().config().setAutoRead(false)).syncUninterruptibly();
    }

    void resume() {
      client.channel().config().setAutoRead(true);
    }
  }

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RelayBacklog backlog;
  final RelayServer server;
  private final List<Follower> followers = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  RelayHarness(long backlogBytes, RelayServer.Settings settings) {
    this(backlogBytes, settings, null);
  }

  /** A leader serving the relay over TLS with {@code tls} (null: plain TCP). */
  RelayHarness(long backlogBytes, RelayServer.Settings settings, RelayTls tls) {
    this(backlogBytes, settings, tls, List.of(SECRET));
  }

  /** A leader that lets in a follower proving any of {@code secrets}. */
  RelayHarness(List<byte[]> secrets) {
    this(RelayBacklog.DEFAULT_MAX_BYTES, settings(Duration.ofSeconds(10)), null, secrets);
  }

  private RelayHarness(long backlogBytes, RelayServer.Settings settings, RelayTls tls, List<byte[]> secrets) {
    this.backlog = backlog(backlogBytes);
    this.server = new RelayServer(settings, secrets, backlog, new RelayMetrics(registry)).tls(tls).start();
    closeables.add(server);
  }

  RelayHarness() {
    this(RelayBacklog.DEFAULT_MAX_BYTES, settings(Duration.ofSeconds(10)));
  }

  /** A keepalive every second: a follower paused by a test times out by itself only after 5 s. */
  static RelayServer.Settings settings(Duration ackTimeout) {
    return new RelayServer.Settings("127.0.0.1", 0, RelayServer.Settings.DEFAULT_MAX_UNACKED_BYTES, ackTimeout,
        Duration.ofSeconds(5), Duration.ofSeconds(1), 64);
  }

  RelayBacklog backlog(long bytes) {
    RelayBacklog backlog = new RelayBacklog(bytes, new UnpooledByteBufAllocator(false), null);
    closeables.add(backlog);
    return backlog;
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.port());
  }

  Follower follower(String pod, StreamPoint from) {
    return follower(pod, from, address(), SECRET);
  }

  Follower follower(String pod, StreamPoint from, InetSocketAddress leader, byte[] secret) {
    return follower(pod, from, leader, secret, PresenceListener.NONE);
  }

  /** A follower whose presence hears of its link to the leader and the leader's presence messages. */
  Follower follower(String pod, PresenceListener presence) {
    return follower(pod, StreamPoint.NONE, address(), SECRET, presence);
  }

  private Follower follower(String pod, StreamPoint from, InetSocketAddress leader, byte[] secret,
      PresenceListener presence) {
    return follower(pod, from, leader, secret, presence, null);
  }

  /** A follower speaking TLS to the leader with {@code tls} (null: plain TCP). */
  Follower follower(String pod, RelayTls tls) {
    return follower(pod, StreamPoint.NONE, address(), SECRET, PresenceListener.NONE, tls);
  }

  /** A follower holding {@code secrets}, preferred first. */
  Follower follower(String pod, List<byte[]> secrets) {
    return follower(pod, StreamPoint.NONE, address(), secrets, PresenceListener.NONE, null);
  }

  private Follower follower(String pod, StreamPoint from, InetSocketAddress leader, byte[] secret,
      PresenceListener presence, RelayTls tls) {
    return follower(pod, from, leader, List.of(secret), presence, tls);
  }

  private Follower follower(String pod, StreamPoint from, InetSocketAddress leader, List<byte[]> secrets,
      PresenceListener presence, RelayTls tls) {
    Follower follower = new Follower(pod, backlog(RelayBacklog.DEFAULT_MAX_BYTES));
    follower.client = new RelayClient(leader, pod, secrets, follower.sink, follower.backlog, from,
        follower.gaps::add, new RelayMetrics(follower.registry), CLIENT).onPresence(presence).tls(tls).start();
    followers.add(follower);
    return follower;
  }

  double cutOff(String reason) {
    return registry.counter("slipstream.relay.followers.cut.off", "reason", reason).count();
  }

  double rejected(String reason) {
    return registry.counter("slipstream.relay.rejected", "reason", reason).count();
  }

  /** Closes the clients first (their loops), then the server, then releases every backlog. */
  @Override
  public void close() throws Exception {
    for (Follower follower : followers) {
      follower.client.close();
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }
}
