package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.netty.OpenConnections;
import dev.slipstream.runtime.tls.RelayTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of the relay: serves its {@link RelayBacklog} to the follower pods, on its own
 * event loop. A follower proves it holds the tenant's secret (and the leader proves it back), then
 * gets every transaction after the last one it has (or, when the backlog no longer reaches back to
 * it, a GAP and what the backlog holds; with nothing yet, the stream from now on), then the live
 * stream.
 *
 * <p><b>Acknowledgements gate the slot</b>: {@link #confirmable} is the LSN the leader may confirm
 * to PostgreSQL, what every connected follower has acknowledged; {@link #onAcksAdvanced} says when
 * it may have moved. <b>Bounded</b>: a follower with more than {@code maxUnackedBytes} unacknowledged,
 * or a commit unacknowledged for {@code ackTimeout}, or a channel unwritable for {@code ackTimeout},
 * is cut off (closed, one WARN line, {@code slipstream_relay_followers_cut_off_total{reason}}) and
 * leaves the gate; it reconnects and catches up from the backlog. <b>Hostile input</b>: inbound
 * frames are capped at {@value #MAX_INBOUND_FRAME_BYTES} bytes, a peer has {@code handshakeTimeout}
 * to prove the secret, at most {@code maxConnections} connections are open; anything else is closed,
 * counted ({@code slipstream_relay_rejected_total{reason}}) and logged (one WARN line per reason
 * every 10 s at most); once a follower proved the secret,
 * its frames may be as large as a broadcast of the tenant's largest payload.
 *
 * <p><b>Client broadcasts</b> cross pods through the leader: a follower's BROADCAST is handed to
 * this pod's {@link #onBroadcast} sink, forwarded to every other follower (queued like the stream,
 * under the same bounds) and, when asked, acknowledged; {@link #broadcast} sends this pod's own
 * clients' broadcasts to every follower. Meters: {@link RelayMetrics}.
 */
public final class RelayServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
  /** HELLO (the largest frame a follower sends) fits many times over. */
  static final int MAX_INBOUND_FRAME_BYTES = 4096;
  private static final int REJECTION_LOG_SECONDS = 10;

  /**
   * @param port 0 for any free port
   * @param maxUnackedBytes bytes queued or sent to a follower and not acknowledged, beyond which it
   *     is cut off; more than the backlog's size (a follower far behind is sent all of it)
   * @param ackTimeout how long a commit may stay unacknowledged, or the channel unwritable
   * @param handshakeTimeout how long a connection has to prove the secret
   * @param keepaliveInterval how long the leader stays silent at most (followers time out at 5 times it)
   * @param maxConnections relay connections open at once, followers and handshakes
   */
  public record Settings(String host, int port, long maxUnackedBytes, Duration ackTimeout, Duration handshakeTimeout,
      Duration keepaliveInterval, int maxConnections) {

    public static final long DEFAULT_MAX_UNACKED_BYTES = 64L << 20;

    public Settings {
      Objects.requireNonNull(host, "host");
      if (maxUnackedBytes < 1 || maxConnections < 1) {
        throw new IllegalArgumentException("the relay's bounds must be positive");
      }
      for (Duration duration : List.of(ackTimeout, handshakeTimeout, keepaliveInterval)) {
        if (duration.isNegative() || duration.isZero()) {
          throw new IllegalArgumentException("the relay's timeouts must be positive: " + duration);
        }
      }
    }

    /** 64 MiB, 10 s to acknowledge, 5 s to shake hands, a keepalive every second, 64 connections. */
    public static Settings defaults(String host, int port) {
      return new Settings(host, port, DEFAULT_MAX_UNACKED_BYTES, Duration.ofSeconds(10), Duration.ofSeconds(5),
          Duration.ofSeconds(1), 64);
    }
  }

  private final Settings settings;
  private final RelayAuth auth;
  private final RelayBacklog backlog;
  private final RelayMetrics metrics;
  private final EventLoopGroup group;
  private final Set<FollowerSession> gate = ConcurrentHashMap.newKeySet();
  private final OpenConnections open = new OpenConnections();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Runnable> ackListeners = new CopyOnWriteArrayList<>();
  private final Map<String, RateLimitedLog> rejectionLog = new ConcurrentHashMap<>();
  private volatile Consumer<PodBroadcast> broadcasts = broadcast -> { };
  private volatile int maxBroadcastPayloadBytes = 1 << 20;
  private volatile int maxPresenceMessageBytes = 0;
  private volatile PresenceListener presence = PresenceListener.NONE;
  private volatile RelayTls tls;
  /** The session of each linked follower pod: a pod that reconnects replaces its old session here. */
  private final Map<String, FollowerSession> linked = new ConcurrentHashMap<>();
  private Channel serverChannel;
  private boolean closed;

  /** @param secret the tenant's shared secret (copied; never logged) */
  public RelayServer(Settings settings, byte[] secret, RelayBacklog backlog, RelayMetrics metrics) {
    this(settings, List.of(secret), backlog, metrics);
  }

  /** @param secrets the pod's secrets (copied; never logged): a follower that proves any of them is let in */
  public RelayServer(Settings settings, List<byte[]> secrets, RelayBacklog backlog, RelayMetrics metrics) {
    if (settings.maxUnackedBytes() <= backlog.maxBytes()) {
      // A follower catching up is sent the whole backlog: were that beyond the bound, it would be
      // cut off on joining, again and again.
      throw new IllegalArgumentException("the relay's unacknowledged bytes bound (" + settings.maxUnackedBytes()
          + ") must exceed the backlog's size (" + backlog.maxBytes() + ")");
    }
    this.settings = settings;
    this.auth = new RelayAuth(secrets);
    this.backlog = backlog;
    this.metrics = metrics;
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay-server", true),
        NioIoHandler.newFactory());
  }

  /** Binds and starts serving; throws when the address cannot be bound. */
  public RelayServer start() {
    try {
      serverChannel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.SO_KEEPALIVE, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              open.add(channel);
              FrameDecoder decoder = new FrameDecoder(MAX_INBOUND_FRAME_BYTES);
              RelayTls encrypted = tls;
              if (encrypted != null) {
                // TLS's handshake within the relay's handshake timeout, then the relay's own, within it again.
                channel.pipeline().addLast("tls", encrypted.serverHandler(channel.alloc(), settings.handshakeTimeout()))
                    .addLast(new AfterTlsHandshake());
              }
              channel.pipeline().addLast(decoder, new FollowerSession(RelayServer.this, decoder));
            }
          })
          .bind(new InetSocketAddress(settings.host(), settings.port()))
          .syncUninterruptibly()
          .channel();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info("Relay listening on {} ({})", serverChannel.localAddress(), tls == null ? "plain TCP" : "TLS");
    return this;
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * What the leader may confirm to PostgreSQL: {@code localCommittedEndLsn}, or less when a
   * connected follower has acknowledged less.
   */
  public long confirmable(long localCommittedEndLsn) {
    long confirmable = localCommittedEndLsn;
    for (FollowerSession follower : gate) {
      long acked = follower.ackedEndLsn();
      if (Lsn.after(confirmable, acked)) {
        confirmable = acked;
      }
    }
    return confirmable;
  }

  /**
   * Called, on the relay's event loop, whenever {@link #confirmable} may have grown: a follower
   * acknowledged more, or left the gate. Must not block.
   */
  public void onAcksAdvanced(Runnable listener) {
    ackListeners.add(listener);
  }

  /**
   * Where the followers' broadcasts go on this pod (its own clients' channels); called on the
   * relay's event loop, must not block. Set before {@link #start}.
   */
  public RelayServer onBroadcast(Consumer<PodBroadcast> sink) {
    this.broadcasts = sink;
    return this;
  }

  /** Serves the relay over TLS with this certificate (the client port's); plain TCP unless set. Set before {@link #start}. */
  public RelayServer tls(RelayTls encrypted) {
    this.tls = encrypted;
    return this;
  }

  /** The largest broadcast payload a follower may send (the tenant's limit); 1 MiB unless set. */
  public RelayServer broadcastPayloadLimit(int bytes) {
    this.maxBroadcastPayloadBytes = bytes;
    return this;
  }

  /**
   * Where the followers' presence messages go, and who is linked; the largest message a follower
   * may send. Called on the relay's event loop. Set before {@link #start}.
   */
  public RelayServer onPresence(PresenceListener listener, int maxMessageBytes) {
    this.presence = listener;
    this.maxPresenceMessageBytes = maxMessageBytes;
    return this;
  }

  /** Sends a presence message to one linked follower (dropped when it is not linked); any thread. */
  public void sendPresence(String pod, byte[] message) {
    FollowerSession follower = linked.get(pod);
    if (follower != null) {
      follower.sendQueued(Frames.presence(PooledByteBufAllocator.DEFAULT, message));
    }
  }

  /** Sends a presence message to every linked follower but {@code exceptPod} (null: to all); any thread. */
  public void sendPresenceToAll(String exceptPod, byte[] message) {
    if (linked.isEmpty()) {
      return;
    }
    ByteBuf frame = Frames.presence(PooledByteBufAllocator.DEFAULT, message);
    try {
      linked.forEach((pod, follower) -> {
        if (!pod.equals(exceptPod)) {
          follower.sendQueued(frame.retainedDuplicate());
        }
      });
    } finally {
      frame.release();
    }
  }

  /** Sends a broadcast of this pod's clients to every follower. */
  public void broadcast(PodBroadcast broadcast) {
    forward(broadcast, null);
  }

  /** Stops reading from every follower (tests: a leader that does not keep up). */
  void pauseReading() {
    gate.forEach(FollowerSession::pauseReading);
  }

  /** Followers connected and authenticated now. */
  public int followers() {
    return gate.size();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    open.closeThenStop(group, Duration.ofSeconds(2));
  }

  Settings settings() {
    return settings;
  }

  RelayAuth auth() {
    return auth;
  }

  RelayBacklog backlog() {
    return backlog;
  }

  /** Inbound frames of an authenticated follower: a broadcast of the largest payload fits, and a presence message. */
  int authenticatedFrameLimit() {
    return Math.max(Math.max(MAX_INBOUND_FRAME_BYTES, maxBroadcastPayloadBytes + 2 * Frames.MAX_NAME_BYTES
        + Frames.BROADCAST_OVERHEAD_BYTES), maxPresenceMessageBytes + Frames.PRESENCE_OVERHEAD_BYTES);
  }

  /** A linked follower's presence message. */
  void presenceFrom(FollowerSession origin, byte[] message) {
    try {
      presence.received(origin.pod(), message);
    } catch (RuntimeException e) {
      log.warn("Presence from {} failed: {}", origin.describe(), e.toString());
    }
  }

  /** A follower's broadcast: to this pod's clients, then to every other follower. */
  void broadcastFrom(FollowerSession origin, PodBroadcast broadcast) {
    metrics.broadcastReceived();
    try {
      broadcasts.accept(broadcast);
    } catch (RuntimeException e) {
      log.warn("Delivering a broadcast relayed from {} failed: {}", origin.describe(), e.toString());
    }
    forward(broadcast, origin);
  }

  private void forward(PodBroadcast broadcast, FollowerSession except) {
    if (gate.isEmpty() || (except != null && gate.size() == 1 && gate.contains(except))) {
      return;
    }
    ByteBuf frame = Frames.broadcast(PooledByteBufAllocator.DEFAULT, 0, broadcast);
    try {
      for (FollowerSession follower : gate) {
        if (follower != except) {
          follower.sendQueued(frame.retainedDuplicate());
          metrics.broadcastSent();
        }
      }
    } finally {
      frame.release();
    }
  }

  boolean admit() {
    if (connections.incrementAndGet() > settings.maxConnections()) {
      connections.decrementAndGet();
      return false;
    }
    return true;
  }

  void joined(FollowerSession follower, boolean resuming, long fromEndLsn, RelayBacklog.Replay replay) {
    if (gate.add(follower)) {
      metrics.followerJoined();
    }
    long transactions = replay.segments().stream().filter(RelayBacklog.Segment::completes).count();
    String from = !resuming ? "with nothing: live from LSN " + Lsn.format(replay.startLsn())
        : fromEndLsn == 0 ? "with nothing: replaying the backlog from LSN " + Lsn.format(replay.startLsn()) + ", "
            + transactions + " transaction(s)"
        : replay.gap() ? "at LSN " + Lsn.format(fromEndLsn) + ", before the backlog: gap up to LSN "
            + Lsn.format(replay.startLsn()) + ", replaying " + transactions + " transaction(s)"
        : "at LSN " + Lsn.format(fromEndLsn) + ": replaying " + transactions + " transaction(s)";
    log.info("Relay {} joined {}", follower.describe(), from);
    linked.put(follower.pod(), follower);
    try {
      presence.linked(follower.pod());
    } catch (RuntimeException e) {
      log.warn("Presence could not link {}: {}", follower.describe(), e.toString());
    }
  }

  void left(FollowerSession follower, boolean wasFollowing, boolean closedHere) {
    connections.decrementAndGet();
    leaveGate(follower);
    if (wasFollowing && !closedHere) {
      log.info("Relay {} disconnected", follower.describe());
    }
  }

  void cutOff(FollowerSession follower, String reason, String detail) {
    metrics.followerCutOff(reason);
    log.warn("Relay {} cut off ({}): {}", follower.describe(), reason, detail);
    leaveGate(follower);
  }

  private void leaveGate(FollowerSession follower) {
    if (gate.remove(follower)) {
      metrics.followerLeft();
      acksAdvanced();
    }
    if (follower.pod() != null && linked.remove(follower.pod(), follower)) {
      try {
        presence.unlinked(follower.pod());
      } catch (RuntimeException e) {
        log.warn("Presence could not unlink {}: {}", follower.describe(), e.toString());
      }
    }
  }

  /**
   * One WARN line per reason every {@value #REJECTION_LOG_SECONDS} s at most (a peer that connects
   * again and again cannot fill the log), saying how many went unlogged since; the rest at DEBUG.
   */
  void rejected(FollowerSession peer, String reason, String detail) {
    metrics.connectionRejected(reason);
    long unlogged = rejectionLog.computeIfAbsent(reason, r -> new RateLimitedLog()).admit(System.nanoTime());
    if (unlogged >= 0) {
      log.warn("Relay connection from {} refused ({}): {}{}", peer.describe(), reason, detail,
          unlogged == 0 ? "" : " (" + unlogged + " more refused for this since the last such line)");
    } else {
      log.debug("Relay connection from {} refused ({}): {}", peer.describe(), reason, detail);
    }
  }

  /** When a reason was last logged, and how many of its refusals were not. */
  private static final class RateLimitedLog {
    private long lastNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(REJECTION_LOG_SECONDS);
    private long unlogged;

    /** The refusals not logged since the last line when this one is to be logged, else -1. */
    synchronized long admit(long now) {
      if (now - lastNanos < TimeUnit.SECONDS.toNanos(REJECTION_LOG_SECONDS)) {
        unlogged++;
        return -1;
      }
      lastNanos = now;
      long skipped = unlogged;
      unlogged = 0;
      return skipped;
    }
  }

  void connectionFailed(FollowerSession peer, String detail) {
    log.debug("Relay connection of {} failed: {}", peer.describe(), detail);
  }

  void acksAdvanced() {
    for (Runnable listener : ackListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("A relay acknowledgement listener failed: {}", e.toString());
      }
    }
  }
}
