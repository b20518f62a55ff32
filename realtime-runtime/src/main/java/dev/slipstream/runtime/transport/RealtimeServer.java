package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.netty.OpenConnections;
import dev.slipstream.runtime.tls.ServerTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's one Netty server: every endpoint on one port, epoll where the platform has it.
 * Each connection's pipeline is built by {@link ClientPipeline} and, for a WebSocket,
 * {@link WebSocketStage}; the {@link ConnectionWatch} checks deadlines and what all clients hold.
 * The server knows no protocol: endpoints are {@linkplain #route routed} to it before it
 * {@linkplain #bind binds}.
 */
public final class RealtimeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RealtimeServer.class);
  /**
   * How often the connection watch checks deadlines (and, every fourth sweep or while near its cap,
   * adds up what clients hold). Deadlines are seconds long and a sweep touches every connection.
   */
  private static final Duration WATCH_INTERVAL = Duration.ofMillis(250);

  /** How often the TLS certificate files are read again for a renewed certificate. */
  static final Duration TLS_RELOAD_INTERVAL = Duration.ofSeconds(30);

  /**
   * @param connections what one connection, and all together, may hold and take
   * @param sseKeepAlive how often an idle event stream gets a comment line
   * @param tls the certificate and key the port serves TLS with; null: plain HTTP and WebSocket
   */
  public record Settings(String host, int port, ConnectionLimits connections, Duration sseKeepAlive,
      ServerTls.Files tls) {

    /** Without TLS. */
    public Settings(String host, int port, ConnectionLimits connections, Duration sseKeepAlive) {
      this(host, port, connections, sseKeepAlive, null);
    }

    /** The same settings, serving TLS with these files. */
    public Settings withTls(ServerTls.Files files) {
      return new Settings(host, port, connections, sseKeepAlive, files);
    }

    /** The default connection limits, with a client budget and frame limit of one's own. */
    public Settings(String host, int port, long clientBufferBytes, int maxFrameBytes, Duration sseKeepAlive) {
      this(host, port, ConnectionLimits.defaults(clientBufferBytes, maxFrameBytes), sseKeepAlive);
    }

    /** Production defaults: all interfaces, 1 MiB per client, 1 MiB frames, keep-alive every 15 s. */
    public static Settings defaults(int port) {
      return new Settings("0.0.0.0", port, 1 << 20, 1 << 20, Duration.ofSeconds(15));
    }

    public long clientBufferBytes() {
      return connections.clientBufferBytes();
    }

    public int maxFrameBytes() {
      return connections.maxFrameBytes();
    }
  }

  private final Settings settings;
  private final EventLoopGroup group;
  private final ConnectionWatch watch;
  private final HttpRouter router = new HttpRouter();
  private final WebSocketStage webSocket;
  private final ClientPipeline pipeline;
  private final ServerTls tls;
  private Channel serverChannel;

  public RealtimeServer(Settings settings, ConnectionMetrics connectionMetrics, LimitMetrics limitMetrics,
      MeterRegistry registry) {
    this.settings = settings;
    // First, so that a certificate that does not load stops the process before anything starts.
    this.tls = settings.tls() == null ? null : ServerTls.load(settings.tls(), TLS_RELOAD_INTERVAL);
    this.group = new MultiThreadIoEventLoopGroup(Epoll.isAvailable() ? EpollIoHandler.newFactory()
        : NioIoHandler.newFactory());
    this.watch = ConnectionWatch.start(settings.connections().maxHeldBytes(), WATCH_INTERVAL, registry);
    this.webSocket = new WebSocketStage(settings.connections(), connectionMetrics);
    AtomicInteger connections = registry.gauge("slipstream.connections", new AtomicInteger());
    registry.gauge("slipstream.netty.direct.memory.used", PooledByteBufAllocator.DEFAULT.metric(),
        metric -> metric.usedDirectMemory());
    this.pipeline = new ClientPipeline(settings.connections(), connectionMetrics, limitMetrics, watch, router,
        new ClientErrorLog(LoggerFactory.getLogger(ClientErrors.class), 10), connections, tls);
  }

  /** Serves {@code endpoint} at {@code path}. */
  public RealtimeServer route(String path, HttpEndpoint endpoint) {
    router.route(path, endpoint);
    return this;
  }

  /** Where protocols turn a connection into a WebSocket. */
  public WebSocketStage webSocket() {
    return webSocket;
  }

  public Settings settings() {
    return settings;
  }

  /** Starts listening. */
  public RealtimeServer bind() throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    Class<? extends ServerSocketChannel> channelType = epoll ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
    try {
      serverChannel = new ServerBootstrap()
          .group(group)
          .channel(channelType)
          .option(ChannelOption.SO_BACKLOG, 4096)
          .childOption(ChannelOption.TCP_NODELAY, true)
          // Writability flips well before the byte budget, so the budget is judged whoever writes.
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
          .childHandler(pipeline)
          .bind(new InetSocketAddress(settings.host(), settings.port()))
          .sync()
          .channel();
    } catch (InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
    log.info("Realtime server listening on {} ({}, {})", serverChannel.localAddress(), epoll ? "epoll" : "nio",
        tls == null ? "plain HTTP" : "TLS with " + settings.tls().certificate());
    return this;
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * The pod is going away: stops accepting connections, then asks each client to reconnect at a
   * random moment within {@code window} (elsewhere: realtime-js and EventSource reconnect by
   * themselves, through the Service, to the pods that remain), and returns once every connection
   * has gone, or a second after the window.
   */
  public void drain(Duration window) {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    int open = watch.size();
    log.info("Draining: {} connections asked to reconnect within {} ms", open, window.toMillis());
    watch.drain(window);
    long deadline = System.nanoTime() + window.toNanos() + TimeUnit.SECONDS.toNanos(1);
    while (watch.size() > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // shutdown thread only
    }
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    // The watch holds every connection the pipeline admitted: closed before the loops stop (OpenConnections says why).
    OpenConnections.closeThenStop(watch.channels(), group, Duration.ofSeconds(2));
    watch.close();
    if (tls != null) {
      tls.close();
    }
  }
}
