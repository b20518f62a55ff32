package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.netty.OpenConnections;
import dev.slipstream.runtime.tls.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of the relay: connects to the leader's {@link RelayServer}, proves the tenant's
 * secret (and checks the leader's proof), and feeds the stream to a {@link ChangeSink} (the pod's
 * fan-out) exactly as the replication source would: {@code streamStartsAt} at each WELCOME, then
 * events and commits in order, each once. Everything runs on the client's own single event-loop
 * thread.
 *
 * <p><b>The backlog.</b> The client also appends what it feeds to the pod's {@link RelayBacklog},
 * itself, as the frames arrived (a copy, no re-encoding): pass the fan-out as the sink, not a tee
 * to the backlog. Should this pod become the leader, its relay serves the others from that backlog.
 *
 * <p><b>Exactly once.</b> The client starts from a {@link StreamPoint} (what the pod fed before, say
 * as the leader) and keeps it across reconnects: it resumes there, and drops what it is sent up to
 * it (a new leader that had less than this pod resends what this pod has). When the leader no longer
 * has everything after it, GAP says from where it goes on: {@code onGap} is called with that LSN
 * (mark the resume ring). After {@code sink.committed} returns, the commit is acknowledged; the
 * leader confirms to PostgreSQL only what its followers acknowledged.
 *
 * <p><b>Reconnects</b> with jittered exponential backoff until {@link #close()}; {@link #connected()}
 * and {@link #problem()} say how it goes. Once {@link #close()} returns, the sink, the backlog and
 * {@code onGap} are never called again. Meters: {@link RelayMetrics}.
 *
 * <p><b>Client broadcasts.</b> {@link #broadcast} sends this pod's clients' broadcasts to the leader
 * (which hands them to its clients and the other followers), and says when the leader acknowledged
 * one; what the leader forwards from the others goes to {@link #onBroadcast}'s sink.
 */
public final class RelayClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RelayClient.class);
  /** Bytes queued for the leader (broadcasts, presence) beyond which broadcasts are refused. */
  static final int OUTBOUND_HIGH_WATER_MARK = 4 << 20;
  /** How long closing waits for the connection to close, and again for the loop to stop. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

  /**
   * @param handshakeTimeout how long the leader has to complete the handshake
   * @param initialBackoff the first pause before reconnecting, doubled up to {@code maxBackoff}
   */
  public record Settings(Duration connectTimeout, Duration handshakeTimeout, Duration initialBackoff,
      Duration maxBackoff) {

    public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  private final InetSocketAddress leader;
  private final String pod;
  private final RelayAuth auth;
  /** Which of the pod's secrets the next connection proves (RelayAuth); the one that worked stays. */
  private volatile int key;
  private final RelayFeed feed;
  private final Settings settings;
  private final RelayMetrics metrics;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private volatile boolean closed;
  private volatile boolean connected;
  private volatile String problem;
  private volatile Channel channel;
  private volatile Consumer<PodBroadcast> broadcasts = broadcast -> { };
  private volatile PresenceListener presence = PresenceListener.NONE;
  private volatile RelayTls tls;
  /** The connection to the leader (one at a time), closed before the loop stops. */
  private final OpenConnections connections = new OpenConnections();
  /** Owned by the loop: the connection past WELCOME, and broadcasts it sent awaiting the leader's ACK. */
  private LeaderLink link;
  private final Map<Long, CompletableFuture<Void>> pending = new HashMap<>();
  private long lastBroadcastId;
  /** Owned by the loop. */
  private Duration backoff;
  private String lastLogged;

  /**
   * @param secret the tenant's shared secret (copied; never logged)
   * @param from what the pod fed before: {@link StreamPoint#NONE} for a pod that starts now
   */
  public RelayClient(InetSocketAddress leader, String pod, byte[] secret, ChangeSink sink, RelayBacklog backlog,
      StreamPoint from, LongConsumer onGap, RelayMetrics metrics, Settings settings) {
    this(leader, pod, List.of(secret), sink, backlog, from, onGap, metrics, settings);
  }

  /**
   * @param secrets the pod's secrets, preferred first (copied; never logged): a connection the leader
   *     refuses with {@code bad_secret} is followed by one that proves the next
   * @param from what the pod fed before: {@link StreamPoint#NONE} for a pod that starts now
   */
  public RelayClient(InetSocketAddress leader, String pod, List<byte[]> secrets, ChangeSink sink,
      RelayBacklog backlog, StreamPoint from, LongConsumer onGap, RelayMetrics metrics, Settings settings) {
    this.leader = leader;
    this.pod = pod;
    this.auth = new RelayAuth(secrets);
    this.settings = settings;
    this.backoff = settings.initialBackoff();
    this.metrics = metrics;
    this.feed = new RelayFeed(sink, backlog, lsn -> {
      metrics.gap();
      onGap.accept(lsn);
    }, from);
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay-client", true),
        NioIoHandler.newFactory());
    this.loop = group.next();
    this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, OUTBOUND_HIGH_WATER_MARK))
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            FrameDecoder decoder = new FrameDecoder(RelayServer.MAX_INBOUND_FRAME_BYTES);
            RelayTls encrypted = tls;
            if (encrypted != null) {
              // Built per connection: the CA and the certificate are read again at each reconnect.
              channel.pipeline().addLast("tls", encrypted.clientHandler(channel.alloc(), leader.getPort(),
                  settings.handshakeTimeout()));
            }
            channel.pipeline().addLast(decoder)
                .addLast(LeaderLink.TIMEOUT, new ReadTimeoutHandler(settings.handshakeTimeout().toMillis(),
                    TimeUnit.MILLISECONDS))
                .addLast(new LeaderLink(RelayClient.this, feed, decoder));
          }
        });
  }

  /** Speaks TLS to the leader, checking its certificate ({@link RelayTls}); plain TCP unless set. Set before {@link #start}. */
  public RelayClient tls(RelayTls encrypted) {
    this.tls = encrypted;
    return this;
  }

  public RelayClient start() {
    loop.execute(this::connect);
    return this;
  }

  /** Following the leader now: the handshake succeeded and the connection is open. */
  public boolean connected() {
    return connected;
  }

  /** Why the client is not following, for readiness and the pod's status; null when it is. */
  public String problem() {
    return problem;
  }

  /** What the sink has been fed: a pod that turns leader resumes its own stream from here. */
  public StreamPoint fed() {
    return feed.fed();
  }

  /**
   * Where the broadcasts the leader forwards go on this pod (its own clients' channels); called on
   * the client's event loop, must not block. Set before {@link #start}.
   */
  public RelayClient onBroadcast(Consumer<PodBroadcast> sink) {
    this.broadcasts = sink;
    return this;
  }

  /**
   * Where the leader's presence messages go, and when the link to it starts and ends; called on
   * the client's event loop, must not block. Set before {@link #start}.
   */
  public RelayClient onPresence(PresenceListener listener) {
    this.presence = listener;
    return this;
  }

  /** Sends a presence message to the leader; dropped when not linked (a new link starts over). Any thread. */
  public void sendPresence(byte[] message) {
    try {
      loop.execute(() -> {
        LeaderLink current = link;
        if (!closed && current != null) {
          current.send(Frames.presence(current.alloc(), message));
        }
      });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** A presence message from the leader; on the loop. */
  void presenceReceived(byte[] message) {
    if (closed) {
      return;
    }
    try {
      presence.received(leaderName(), message);
    } catch (RuntimeException e) {
      log.warn("Presence from the leader failed: {}", e.toString());
    }
  }

  /**
   * Sends a broadcast of this pod's clients to the leader. With {@code acknowledged}, the result
   * completes when the leader has it, or fails (with a sentence saying why) when no leader is
   * connected, the connection is lost first or the leader does not answer within {@code timeout};
   * without, it completes once the frame is handed to the connection (or fails when there is none).
   */
  public CompletableFuture<Void> broadcast(PodBroadcast broadcast, boolean acknowledged, Duration timeout) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    try {
      loop.execute(() -> send(broadcast, acknowledged, timeout, result));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new IllegalStateException("the relay client is closed"));
    }
    return result;
  }

  private void send(PodBroadcast broadcast, boolean acknowledged, Duration timeout, CompletableFuture<Void> result) {
    LeaderLink current = link;
    if (closed || current == null) {
      metrics.broadcastFailed(RelayMetrics.NO_LEADER).increment();
      result.completeExceptionally(new IllegalStateException("no connection to the leader's relay"));
      return;
    }
    if (!current.writable()) {
      // What waits to be written to the leader is bounded by the connection's high water mark: a
      // leader that does not read is not handed more, and is given up on once silent.
      metrics.broadcastFailed(RelayMetrics.BACKPRESSURE).increment();
      result.completeExceptionally(new IllegalStateException("the leader's relay is not taking broadcasts as fast as"
          + " they come"));
      return;
    }
    long id = acknowledged ? ++lastBroadcastId : 0;
    current.send(Frames.broadcast(current.alloc(), id, broadcast));
    metrics.broadcastSent();
    if (!acknowledged) {
      result.complete(null);
      return;
    }
    pending.put(id, result);
    loop.schedule(() -> {
      if (pending.remove(id) != null) {
        metrics.broadcastFailed(RelayMetrics.ACK_TIMEOUT).increment();
        result.completeExceptionally(new IllegalStateException("the leader did not acknowledge the broadcast within "
            + timeout.toMillis() + " ms"));
      }
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The leader acknowledged broadcast {@code id}; on the loop. */
  void broadcastAcknowledged(long id) {
    CompletableFuture<Void> result = pending.remove(id);
    if (result != null) {
      result.complete(null);
    }
  }

  /** A broadcast the leader forwarded; on the loop. */
  void broadcastReceived(PodBroadcast broadcast) {
    metrics.broadcastReceived();
    if (closed) {
      return;
    }
    try {
      broadcasts.accept(broadcast);
    } catch (RuntimeException e) {
      log.warn("Delivering a broadcast relayed by the leader failed: {}", e.toString());
    }
  }

  void linked(LeaderLink link) {
    this.link = link;
    try {
      presence.linked(leaderName());
    } catch (RuntimeException e) {
      log.warn("Presence could not link the leader: {}", e.toString());
    }
  }

  /** The connection ended: broadcasts awaiting its acknowledgement fail. On the loop. */
  void unlinked(LeaderLink ended) {
    if (link == ended) {
      dropLink();
    }
    failPending("the connection to the leader's relay was lost before it acknowledged the broadcast");
  }

  private void dropLink() {
    if (link != null) {
      link = null;
      try {
        presence.unlinked(leaderName());
      } catch (RuntimeException e) {
        log.warn("Presence could not unlink the leader: {}", e.toString());
      }
    }
  }

  private void failPending(String why) {
    if (pending.isEmpty()) {
      return;
    }
    metrics.broadcastFailed(RelayMetrics.DISCONNECTED).increment(pending.size());
    pending.values().forEach(result -> result.completeExceptionally(new IllegalStateException(why)));
    pending.clear();
  }

  /** Stops for good; once this returns, the sink, the backlog and {@code onGap} are not called again. */
  @Override
  public void close() {
    closed = true;
    feed.stop();
    connected(false);
    if (loop.inEventLoop()) {
      closeChannel();
      connections.closeAndStop(group, STOP_TIMEOUT);
      return;
    }
    try {
      // A barrier: a frame being fed when stop() was called is done once this task has run.
      if (!loop.submit(this::closeChannel).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
        log.warn("Relay: the sink is still busy 10 s after the client was closed");
      }
    } catch (RejectedExecutionException e) {
      // the loop has terminated: nothing runs on it any more
    }
    connections.closeThenStop(group, STOP_TIMEOUT);
  }

  /** The current connection (tests pause its reading). */
  Channel channel() {
    return channel;
  }

  String pod() {
    return pod;
  }

  RelayAuth auth() {
    return auth;
  }

  /** Which of the pod's secrets the next connection proves. */
  int key() {
    return key;
  }

  /** The leader refused the secret {@code refused}: the next connection proves the next one (round robin). */
  void refusedKey(int refused) {
    key = (refused + 1) % auth.keys();
  }

  String leaderName() {
    return leader.getHostString() + ":" + leader.getPort();
  }

  void following(long startLsn) {
    connected(true);
    problem = null;
    lastLogged = null;
    backoff = settings.initialBackoff();
    log.info("Following the leader's relay at {} from LSN {} (it starts at LSN {})", leaderName(),
        Lsn.format(feed.lastEndLsn()), Lsn.format(startLsn));
  }

  void failed(String problem) {
    if (closed) {
      return;
    }
    connected(false);
    this.problem = problem;
    if (!problem.equals(lastLogged)) { // once per distinct problem, not once per retry
      log.warn("Relay: {}", problem);
      lastLogged = problem;
    }
  }

  void sinkFailed(RuntimeException e) {
    log.warn("Relay: feeding the stream failed; reconnecting", e);
    failed("feeding the leader's stream failed: " + e);
  }

  void disconnected() {
    if (!closed) {
      connected(false);
    }
    retry();
  }

  private void connected(boolean connected) {
    this.connected = connected;
    metrics.following(connected);
  }

  private void connect() {
    if (closed) {
      return;
    }
    ChannelFuture connecting = bootstrap.connect(leader);
    channel = connecting.channel();
    connections.add(channel);
    connecting.addListener(done -> {
      if (!done.isSuccess()) {
        failed("cannot reach the leader's relay at " + leaderName() + ": " + describe(done.cause()));
        retry();
      }
    });
  }

  private void retry() {
    if (closed) {
      return;
    }
    long millis = backoff.toMillis();
    long pause = millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1);
    backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) < 0 ? backoff.multipliedBy(2)
        : settings.maxBackoff();
    try {
      loop.schedule(this::connect, pause, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void closeChannel() {
    dropLink();
    failPending("the relay client closed before the leader acknowledged the broadcast");
    Channel current = channel;
    if (current != null) {
      current.close();
    }
  }

  /** A connection failure in a few words: "connection refused", not Netty's class and address. */
  static String describe(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return "connection timed out";
    }
    String message = cause.getMessage();
    if (cause instanceof UnknownHostException) {
      return "unknown host " + message;
    }
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName();
    }
    int address = message.indexOf(": /");
    if (cause instanceof ConnectException && address > 0) {
      message = message.substring(0, address);
    }
    return Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }
}
