package dev.slipstream.bench.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many WebSocket clients in one process on Netty (epoll where available): each connects, sends a
 * Phoenix {@code phx_join}, heartbeats every 25 s as realtime-js does, and reports every
 * {@code postgres_changes} push to a {@link ChangeListener}. Connections are spread over loopback
 * source addresses 127.0.0.1..n when there are more than one source address's ports.
 */
public final class LoadGenerator implements AutoCloseable {

  /** How a push frame starts its event element in serializer 2.0.0 and 1.0.0 arrays/objects. */
  private static final ByteBuf PUSH_MARK = Unpooled.unreleasableBuffer(
      Unpooled.copiedBuffer("\"postgres_changes\",{", StandardCharsets.UTF_8));
  private static final ByteBuf REPLY_MARK = Unpooled.unreleasableBuffer(
      Unpooled.copiedBuffer("\"phx_reply\"", StandardCharsets.UTF_8));
  private static final ByteBuf OK_MARK = Unpooled.unreleasableBuffer(
      Unpooled.copiedBuffer("\"status\":\"ok\"", StandardCharsets.UTF_8));
  private static final String HEARTBEAT = "[null,\"hb\",\"phoenix\",\"heartbeat\",{}]";
  /** Connections with at most this many in handshake at once. */
  private static final int IN_FLIGHT = 512;

  private final EventLoopGroup group;
  private final boolean epoll = Epoll.isAvailable();

  public LoadGenerator(int threads) {
    group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /**
   * Opens {@code count} clients to {@code ws://127.0.0.1:port/path?query}, each sending
   * {@code join}; returns once every one has its join reply.
   */
  public Clients connect(int port, String pathAndQuery, int count, String join, ChangeListener listener,
      Duration timeout) throws InterruptedException {
    return connect("127.0.0.1", port, pathAndQuery, count, join, listener, timeout);
  }

  /** The same against a server on another loopback address ({@code host}), e.g. one pod of a tenant. */
  public Clients connect(String host, int port, String pathAndQuery, int count, String join, ChangeListener listener,
      Duration timeout) throws InterruptedException {
    URI uri = URI.create("ws://" + host + ":" + port + pathAndQuery);
    Clients clients = new Clients(count);
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    int sources = Math.max(1, (count + 19_999) / 20_000);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < count; i++) {
      if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        clients.close();
        throw new IllegalStateException("only " + clients.joined.getCount() + " of " + count + " clients joined within "
            + timeout + " (" + clients.failure.get() + ")");
      }
      int index = i;
      Bootstrap bootstrap = new Bootstrap().group(group)
          .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 60_000)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                  new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri)
                      .version(WebSocketVersion.V13).maxFramePayloadLength(16 << 20)
                      .handshakeTimeoutMillis(timeout.toMillis()).dropPongFrames(true).build()),
                  new Client(index, clients, listener, join, inFlight));
            }
          });
      ChannelFuture connect = sources == 1 ? bootstrap.connect(host, port)
          : bootstrap.connect(new InetSocketAddress(host, port),
              new InetSocketAddress("127.0.0." + (1 + index % sources), 0));
      clients.channels.add(connect.channel());
      connect.addListener(f -> {
        if (!f.isSuccess()) {
          clients.failure.compareAndSet(null, f.cause().toString());
          inFlight.release();
        }
      });
    }
    while (!clients.joined.await(100, TimeUnit.MILLISECONDS)) {
      if (clients.failure.get() == null && System.nanoTime() < deadline) {
        continue;
      }
      clients.close();
      throw new IllegalStateException("only " + (count - clients.joined.getCount()) + " of " + count
          + " clients joined within " + timeout + " (" + clients.failure.get() + ")");
    }
    return clients;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The clients of one {@link #connect}: their channels and what each received. */
  public static final class Clients implements AutoCloseable {

    final List<Channel> channels = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch joined;
    final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicIntegerArray changes;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong closedEarly = new AtomicLong();
    volatile boolean closing;
    final AtomicLong refusedJoins = new AtomicLong();

    /** Join replies with an error status (each was retried a second later). */
    public long refusedJoins() {
      return refusedJoins.get();
    }

    Clients(int count) {
      joined = new CountDownLatch(count);
      changes = new AtomicIntegerArray(count);
    }

    public int size() {
      return changes.length();
    }

    /** Pushes received by client {@code i}. */
    public int changes(int i) {
      return changes.get(i);
    }

    /** Pushes received by all clients. */
    public long totalChanges() {
      return total.get();
    }

    /** Connections the server closed while the benchmark still used them. */
    public long closedEarly() {
      return closedEarly.get();
    }

    /** Clients whose push count is not {@code expected}. */
    public int countNotEqual(int expected) {
      int n = 0;
      for (int i = 0; i < changes.length(); i++) {
        if (changes.get(i) != expected) {
          n++;
        }
      }
      return n;
    }

    @Override
    public void close() {
      closing = true;
      List<ChannelFuture> closed = new ArrayList<>();
      synchronized (channels) {
        for (Channel channel : channels) {
          closed.add(channel.close());
        }
        channels.clear();
      }
      closed.forEach(f -> f.awaitUninterruptibly(10, TimeUnit.SECONDS));
    }
  }

  private static final class Client extends SimpleChannelInboundHandler<TextWebSocketFrame> {

    private final int index;
    private final Clients clients;
    private final ChangeListener listener;
    private final String join;
    private final Semaphore inFlight;
    private boolean joined;

    Client(int index, Clients clients, ChangeListener listener, String join, Semaphore inFlight) {
      this.index = index;
      this.clients = clients;
      this.listener = listener;
      this.join = join;
      this.inFlight = inFlight;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        ctx.writeAndFlush(new TextWebSocketFrame(join));
        ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(new TextWebSocketFrame(HEARTBEAT)), 25, 25,
            TimeUnit.SECONDS);
      } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
        clients.failure.compareAndSet(null, "handshake timeout");
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      long now = System.nanoTime();
      ByteBuf content = frame.content();
      int window = Math.min(content.readableBytes(), 160);
      if (ByteBufUtil.indexOf(PUSH_MARK, content.slice(content.readerIndex(), window)) >= 0) {
        clients.changes.incrementAndGet(index);
        clients.total.incrementAndGet();
        listener.onChange(index, content, now);
      } else if (!joined && ByteBufUtil.indexOf(REPLY_MARK, content.slice(content.readerIndex(), window)) >= 0) {
        if (ByteBufUtil.indexOf(OK_MARK, content) >= 0) {
          joined = true;
          inFlight.release();
          clients.joined.countDown();
        } else {
          // Refused (a limit): join again a second later, as realtime-js's rejoin timer does.
          clients.refusedJoins.incrementAndGet();
          ctx.executor().schedule(() -> ctx.writeAndFlush(new TextWebSocketFrame(join)), 1, TimeUnit.SECONDS);
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (!clients.closing) {
        clients.closedEarly.incrementAndGet();
        if (!joined) {
          clients.failure.compareAndSet(null, "closed before joining");
          inFlight.release();
        }
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      clients.failure.compareAndSet(null, cause.toString());
      ctx.close();
    }
  }
}
