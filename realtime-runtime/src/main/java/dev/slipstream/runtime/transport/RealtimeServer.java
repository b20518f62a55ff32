package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.phoenix.ChannelContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's one Netty server: WebSocket, SSE and the HTTP endpoints on one port, epoll where
 * the platform has it. The pipeline, top to bottom: HTTP codec, request aggregator (requests are
 * small GETs), {@link HttpRouter}; a WebSocket upgrade adds the protocol handler and the Phoenix
 * handler in the router's place.
 */
public final class RealtimeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RealtimeServer.class);

  /**
   * @param demoPage the page served at {@code /} (dev mode), or null
   * @param extraEndpoints POST endpoints beyond the runtime's own (dev mode)
   */
  public record Settings(String host, int port, long clientBufferBytes, int maxFrameBytes, Duration sseKeepAlive,
      byte[] demoPage, java.util.List<ExtraEndpoint> extraEndpoints) {

    public Settings {
      extraEndpoints = java.util.List.copyOf(extraEndpoints);
    }

    /** Production defaults: all interfaces, 1 MiB per client, 1 MiB frames, keep-alive every 15 s. */
    public static Settings defaults(int port) {
      return new Settings("0.0.0.0", port, 1 << 20, 1 << 20, Duration.ofSeconds(15), null, java.util.List.of());
    }
  }

  private final EventLoopGroup group;
  private final Channel serverChannel;

  private RealtimeServer(EventLoopGroup group, Channel serverChannel) {
    this.group = group;
    this.serverChannel = serverChannel;
  }

  public static RealtimeServer start(Settings settings, FanOut fanOut, ChannelContext channels,
      PrometheusMeterRegistry registry, BooleanSupplier ready) throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Class<? extends ServerSocketChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    HttpRouter router = new HttpRouter(fanOut, channels, registry, ready, settings);
    java.util.concurrent.atomic.AtomicLong connections = registry.gauge("slipstream.connections",
        new java.util.concurrent.atomic.AtomicLong());
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(channelType)
          .option(ChannelOption.SO_BACKLOG, 4096)
          .childOption(ChannelOption.TCP_NODELAY, true)
          // Writability flips well before the byte budget, so the budget counts what a slow client holds.
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              connections.incrementAndGet();
              ch.closeFuture().addListener(f -> connections.decrementAndGet());
              ch.pipeline()
                  .addLast("http", new HttpServerCodec())
                  .addLast("aggregator", new HttpObjectAggregator(64 * 1024))
                  .addLast("router", router);
            }
          })
          .bind(new InetSocketAddress(settings.host(), settings.port()))
          .sync()
          .channel();
      log.info("Realtime server listening on {} ({})", channel.localAddress(), epoll ? "epoll" : "nio");
      return new RealtimeServer(group, channel);
    } catch (InterruptedException | RuntimeException e) {
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
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
