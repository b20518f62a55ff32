package dev.slipstream.bench.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Clients in rooms, as Supabase's broadcast benchmark has them: each joins {@code realtime:room-<k>}
 * (rooms of {@code roomSize}) with {@code broadcast.self = false} and, once started, sends
 * {@code perSecond} broadcasts a second the way realtime-js 2.119.0 sends them over serializer
 * 2.0.0: a binary kind-3 frame with a JSON payload, here {@code {"t": <System.nanoTime>}}. Every
 * broadcast received (binary kind 4, or text) is timed against the clock of this process, which
 * sent it.
 */
public final class BroadcastClients implements AutoCloseable {

  private static final String PATH = "/realtime/v1/websocket?vsn=2.0.0";
  private static final AttributeKey<String> TOPIC = AttributeKey.valueOf("slipstream.bench.topic");

  private final EventLoopGroup group;
  private final boolean epoll = Epoll.isAvailable();
  private final List<Channel> channels = new ArrayList<>();
  private final List<ScheduledFuture<?>> senders = new ArrayList<>();
  private final Recorder latency = new Recorder(3);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile boolean recording;

  public BroadcastClients(int threads) {
    group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** Connects {@code count} clients in rooms of {@code roomSize}; returns once all have joined. */
  public void connect(int port, int count, int roomSize, Duration timeout) throws InterruptedException {
    URI uri = URI.create("ws://127.0.0.1:" + port + PATH);
    CountDownLatch joined = new CountDownLatch(count);
    // At most 256 handshakes in flight: each costs the server more than a steady connection.
    Semaphore inFlight = new Semaphore(256);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < count; i++) {
      if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("only " + (count - joined.getCount()) + " of " + count + " clients joined ("
            + failure.get() + ")");
      }
      String topic = "realtime:room-" + (i / roomSize);
      Runnable onJoined = () -> {
        joined.countDown();
        inFlight.release();
      };
      Bootstrap bootstrap = new Bootstrap().group(group)
          .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.attr(TOPIC).set(topic);
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                  new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri)
                      .version(WebSocketVersion.V13).maxFramePayloadLength(1 << 20)
                      .handshakeTimeoutMillis(timeout.toMillis()).dropPongFrames(true).build()),
                  new Member(topic, onJoined));
            }
          });
      Channel channel = bootstrap.connect("127.0.0.1", port).addListener(f -> {
        if (!f.isSuccess()) {
          failure.compareAndSet(null, f.cause().toString());
          inFlight.release();
        }
      }).channel();
      synchronized (channels) {
        channels.add(channel);
      }
    }
    if (!joined.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("only " + (count - joined.getCount()) + " of " + count + " clients joined ("
          + failure.get() + ")");
    }
  }

  /** Every client sends {@code perSecond} broadcasts a second, at a random phase, until {@link #stop()}. */
  public void start(double perSecond) {
    long periodNanos = (long) (1e9 / perSecond);
    synchronized (channels) {
      for (Channel channel : channels) {
        String topic = channel.attr(TOPIC).get();
        byte[] header = header(topic);
        senders.add(channel.eventLoop().scheduleAtFixedRate(() -> {
          byte[] payload = ("{\"t\":" + System.nanoTime() + "}").getBytes(StandardCharsets.US_ASCII);
          ByteBuf frame = Unpooled.buffer(header.length + payload.length).writeBytes(header).writeBytes(payload);
          channel.writeAndFlush(new BinaryWebSocketFrame(frame));
          sent.incrementAndGet();
        }, ThreadLocalRandom.current().nextLong(periodNanos), periodNanos, TimeUnit.NANOSECONDS));
      }
    }
  }

  /** Starts (or restarts) counting and timing what arrives; what arrived before is forgotten. */
  public void record() {
    latency.reset();
    received.set(0);
    sent.set(0);
    recording = true;
  }

  public void stop() {
    senders.forEach(s -> s.cancel(false));
    senders.clear();
  }

  public long sent() {
    return sent.get();
  }

  public long received() {
    return received.get();
  }

  /** The latencies recorded since {@link #record()}, in microseconds. */
  public Histogram latencies() {
    return latency.getIntervalHistogram();
  }

  public String failure() {
    return failure.get();
  }

  /** realtime-js's kind-3 header for event "m", JSON payload, join_ref "1", no ref (no ack). */
  private static byte[] header(String topic) {
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    byte[] joinRef = {'1'};
    byte[] event = {'m'};
    byte[] header = new byte[7 + joinRef.length + topicBytes.length + event.length];
    header[0] = 3;
    header[1] = (byte) joinRef.length;
    header[2] = 0;
    header[3] = (byte) topicBytes.length;
    header[4] = (byte) event.length;
    header[5] = 0;
    header[6] = 1;
    int offset = 7;
    System.arraycopy(joinRef, 0, header, offset, joinRef.length);
    offset += joinRef.length;
    System.arraycopy(topicBytes, 0, header, offset, topicBytes.length);
    offset += topicBytes.length;
    System.arraycopy(event, 0, header, offset, event.length);
    return header;
  }

  @Override
  public void close() {
    stop();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Member extends SimpleChannelInboundHandler<WebSocketFrame> {

    private final String topic;
    private final Runnable onJoined;
    private boolean isJoined;

    Member(String topic, Runnable onJoined) {
      this.topic = topic;
      this.onJoined = onJoined;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        ctx.writeAndFlush(new TextWebSocketFrame("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{\"config\":{"
            + "\"broadcast\":{\"ack\":false,\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},"
            + "\"postgres_changes\":[],\"private\":false}}]"));
        ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(
            new TextWebSocketFrame("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]")), 25, 25, TimeUnit.SECONDS);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      long now = System.nanoTime();
      ByteBuf content = frame.content();
      if (frame instanceof BinaryWebSocketFrame) {
        // kind 4: u8 4, u8 topic len, u8 event len, u8 meta len, u8 encoding, topic, event, meta, payload
        int start = content.readerIndex();
        int offset = start + 5 + content.getUnsignedByte(start + 1) + content.getUnsignedByte(start + 2)
            + content.getUnsignedByte(start + 3);
        timed(content.toString(offset, content.writerIndex() - offset, StandardCharsets.US_ASCII), now);
        return;
      }
      String text = content.toString(StandardCharsets.UTF_8);
      if (!isJoined && text.contains("\"phx_reply\"") && text.contains("\"" + topic + "\"")) {
        isJoined = true;
        onJoined.run();
      } else if (text.contains("\"broadcast\"")) {
        int t = text.indexOf("\"t\":");
        if (t >= 0) {
          timed(text.substring(t - 1), now);
        }
      }
    }

    private void timed(String payload, long now) {
      int colon = payload.indexOf(':');
      int end = colon + 1;
      while (end < payload.length() && Character.isDigit(payload.charAt(end))) {
        end++;
      }
      if (colon < 0 || end == colon + 1 || !recording) {
        return;
      }
      long sentAt = Long.parseLong(payload.substring(colon + 1, end));
      received.incrementAndGet();
      latency.recordValue(Math.max(0, (now - sentAt) / 1000));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failure.compareAndSet(null, cause.toString());
      ctx.close();
    }
  }
}
