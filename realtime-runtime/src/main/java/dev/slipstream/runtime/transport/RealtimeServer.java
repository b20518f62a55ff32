package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.phoenix.ChannelContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's one Netty server: WebSocket, SSE and the HTTP endpoints on one port, epoll where
 * the platform has it. Each connection's pipeline is built by {@link ClientPipeline} and, for a
 * WebSocket, {@link WebSocketStage}; the {@link MemoryGuard} watches what all clients hold.
 */
public final class RealtimeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RealtimeServer.class);
  /** How often the connection watch checks deadlines and adds up what clients hold. */
  private static final Duration WATCH_INTERVAL = Duration.ofMillis(100);

  /**
   * @param connections what one connection, and all together, may hold and take
   * @param demoPage the page served at {@code /} (dev mode), or null
   * @param extraEndpoints POST endpoints beyond the runtime's own (dev mode)
   */
  public record Settings(String host, int port, ConnectionLimits connections, Duration sseKeepAlive, byte[] demoPage,
      List<ExtraEndpoint> extraEndpoints) {

    public Settings {
      extraEndpoints = List.copyOf(extraEndpoints);
    }

    /** The default connection limits, with a client budget and frame limit of one's own. */
    public Settings(String host, int port, long clientBufferBytes, int maxFrameBytes, Duration sseKeepAlive,
        byte[] demoPage, List<ExtraEndpoint> extraEndpoints) {
      this(host, port, ConnectionLimits.defaults(clientBufferBytes, maxFrameBytes), sseKeepAlive, demoPage,
          extraEndpoints);
    }

    /** Production defaults: all interfaces, 1 MiB per client, 1 MiB frames, keep-alive every 15 s. */
    public static Settings defaults(int port) {
      return new Settings("0.0.0.0", port, 1 << 20, 1 << 20, Duration.ofSeconds(15), null, List.of());
    }

    public long clientBufferBytes() {
      return connections.clientBufferBytes();
    }

    public int maxFrameBytes() {
      return connections.maxFrameBytes();
    }
  }

  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ConnectionWatch watch;

  private RealtimeServer(EventLoopGroup group, Channel serverChannel, ConnectionWatch watch) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.watch = watch;
  }

  public static RealtimeServer start(Settings settings, FanOut fanOut, ChannelContext channels,
      ConnectionMetrics connectionMetrics, PrometheusMeterRegistry registry, BooleanSupplier ready)
      throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Class<? extends ServerSocketChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ConnectionWatch watch = ConnectionWatch.start(settings.connections().maxHeldBytes(), WATCH_INTERVAL, registry);
    WebSocketStage webSocket = new WebSocketStage(settings.connections(), connectionMetrics);
    HttpRouter router = new HttpRouter(fanOut, channels, registry, ready, settings, webSocket);
    AtomicInteger connections = registry.gauge("slipstream.connections", new AtomicInteger());
    registry.gauge("slipstream.netty.direct.memory.used", PooledByteBufAllocator.DEFAULT.metric(),
        metric -> metric.usedDirectMemory());
    ClientPipeline pipeline = new ClientPipeline(settings.connections(), connectionMetrics, channels.limitMetrics(),
        watch, router, new ClientErrorLog(LoggerFactory.getLogger(ClientErrors.class), 10), connections);
    try {
      Channel channel = new ServerBootstrap()
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
      log.info("Realtime server listening on {} ({})", channel.localAddress(), epoll ? "epoll" : "nio");
      return new RealtimeServer(group, channel, watch);
    } catch (InterruptedException | RuntimeException e) {
      watch.close();
      group.shutdownGracefully();
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    watch.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
