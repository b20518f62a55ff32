package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.relay.RelayBacklog.Segment;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One follower's connection, on the leader: the handshake, the replay and the live segments, its
 * acknowledgements and its bounds. Segments wait in a queue and are written while the channel is
 * writable (they are shared with the backlog: queueing them copies nothing); what was queued or
 * written and not acknowledged is what the bytes bound judges. State is owned by the channel's
 * event loop, except {@link #ackedEndLsn}, which the gate reads. Broadcasts the leader forwards
 * to the follower wait in the same queue, under the same bounds; the follower's own broadcasts
 * are handed to the server, and acknowledged when the follower asks.
 */
final class FollowerSession extends ChannelInboundHandlerAdapter {

  private final RelayServer server;
  private final FrameDecoder decoder;
  private final RelayServer.Settings settings;
  private final byte[] nonce = RelayAuth.nonce();
  private final Consumer<Segment> reader = this::offer;
  /** Commits sent and not acknowledged: {end LSN, when written (nanoTime)}. */
  private final ArrayDeque<long[]> unacknowledged = new ArrayDeque<>();
  private final ArrayDeque<Segment> queue = new ArrayDeque<>();
  private long queuedBytes;
  private ChannelHandlerContext ctx;
  private String pod;
  private boolean admitted;
  private boolean following;
  private boolean closing;
  private volatile long ackedEndLsn;
  private long ackedBytes;
  private long sentBytes;
  private long lastWriteNanos;
  private long lastReadNanos;
  private long unwritableSinceNanos;
  private boolean unwritable;
  private long lastCompletedSeq = -1;
  private long skipSeq = -1;
  private ScheduledFuture<?> handshakeDeadline;
  private ScheduledFuture<?> ticker;

  FollowerSession(RelayServer server, FrameDecoder decoder) {
    this.server = server;
    this.decoder = decoder;
    this.settings = server.settings();
  }

  long ackedEndLsn() {
    return ackedEndLsn;
  }

  void pauseReading() {
    ctx.executor().submit(() -> ctx.channel().config().setAutoRead(false)).syncUninterruptibly();
  }

  /** The follower's pod, once HELLO named it; null before. */
  String pod() {
    return pod;
  }

  String describe() {
    return (pod == null ? "unidentified peer" : "follower " + Logs.safe(pod)) + " (" + ctx.channel().remoteAddress() + ")";
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    admitted = server.admit();
    if (!admitted) {
      reject(RelayMetrics.TOO_MANY_CONNECTIONS, "more than " + settings.maxConnections() + " relay connections");
      return;
    }
    ctx.writeAndFlush(Frames.challenge(ctx.alloc(), nonce), ctx.voidPromise());
    handshakeDeadline = ctx.executor().schedule(() -> {
      if (!following) {
        reject(RelayMetrics.HANDSHAKE_TIMEOUT, "no HELLO within " + settings.handshakeTimeout().toMillis() + " ms");
      }
    }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    lastReadNanos = System.nanoTime();
    try {
      if (!closing) {
        read(Frames.type(frame), Frames.body(frame));
      }
    } catch (RelayProtocolException e) {
      reject(RelayMetrics.MALFORMED_FRAME, e.getMessage());
    } finally {
      frame.release();
    }
  }

  private void read(int type, ByteBuf body) {
    if (!following) {
      if (type != Frames.HELLO) {
        throw new RelayProtocolException("expected HELLO, got " + Frames.name(type));
      }
      hello(Frames.readHello(body));
    } else if (type == Frames.ACK) {
      acknowledged(Frames.readAck(body));
    } else if (type == Frames.KEEPALIVE) {
      Wire.end(body, "KEEPALIVE");
    } else if (type == Frames.PRESENCE) {
      server.presenceFrom(this, Frames.readPresence(body));
    } else if (type == Frames.BROADCAST) {
      Frames.Broadcast broadcast = Frames.readBroadcast(body);
      server.broadcastFrom(this, broadcast.broadcast());
      if (broadcast.id() != 0 && !closing) {
        send(Frames.broadcastAck(ctx.alloc(), broadcast.id()));
        ctx.flush();
      }
    } else {
      throw new RelayProtocolException("unexpected " + Frames.name(type) + " frame from a follower");
    }
  }

  private void hello(Frames.Hello hello) {
    if (hello.version() != Frames.VERSION) {
      refuse(RelayMetrics.UNSUPPORTED_VERSION, "protocol version " + hello.version() + ", this leader speaks "
          + Frames.VERSION);
      return;
    }
    int key = server.auth().helloKey(hello.mac(), nonce, hello.nonce(), hello.pod(), hello.resuming(),
        hello.lastEndLsn());
    if (key < 0) {
      refuse(RelayMetrics.BAD_SECRET, "the pod " + Logs.safe(hello.pod()) + " does not hold the tenant's secret");
      return;
    }
    handshakeDeadline.cancel(false);
    decoder.limit(server.authenticatedFrameLimit());
    pod = hello.pod();
    RelayBacklog.Replay replay = server.backlog().subscribe(hello.resuming(), hello.lastEndLsn(), reader);
    following = true;
    ackedEndLsn = replay.startLsn();
    lastWriteNanos = System.nanoTime();
    int keepalive = (int) settings.keepaliveInterval().toMillis();
    byte[] mac = server.auth().welcomeMac(key, hello.nonce(), nonce, replay.startLsn(), replay.serverWalEnd(), keepalive);
    ctx.write(Frames.welcome(ctx.alloc(), new Frames.Welcome(replay.startLsn(), replay.serverWalEnd(), keepalive, mac)),
        ctx.voidPromise());
    if (replay.gap()) {
      send(Frames.lsnFrame(ctx.alloc(), Frames.GAP, replay.startLsn()));
    }
    skipSeq = replay.skipSeq();
    server.joined(this, hello.resuming(), hello.lastEndLsn(), replay);
    for (Segment segment : replay.segments()) {
      enqueue(segment);
    }
    drain();
    if (closing) {
      return;
    }
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
        Math.min(settings.ackTimeout().toNanos(), settings.keepaliveInterval().toNanos()) / 4);
    ticker = ctx.executor().scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
  }

  /** From the backlog, under its lock, on any thread: hands the segment to this channel's loop. */
  private void offer(Segment segment) {
    try {
      ctx.executor().execute(() -> {
        enqueue(segment);
        drain();
      });
    } catch (RejectedExecutionException e) {
      segment.frames().release(); // the relay is shutting down
    }
  }

  private void enqueue(Segment segment) {
    if (closing || !ctx.channel().isActive() || segment.seq() <= lastCompletedSeq) {
      segment.frames().release(); // gone, or already queued (the seam between replay and live)
      return;
    }
    if (segment.seq() == skipSeq) { // joined during a transaction the backlog did not keep
      segment.frames().release();
      if (segment.completes()) {
        skipSeq = -1;
        lastCompletedSeq = segment.seq();
        enqueue(new Segment(segment.seq(), Frames.lsnFrame(ctx.alloc(), Frames.GAP, segment.endLsn()), false, 0));
      }
      return;
    }
    if (segment.completes()) {
      lastCompletedSeq = segment.seq();
    }
    queue.add(segment);
    queuedBytes += segment.frames().readableBytes();
    checkUnackedBytes();
  }

  private void checkUnackedBytes() {
    long unacked = sentBytes + queuedBytes - ackedBytes;
    if (unacked > settings.maxUnackedBytes()) {
      cutOff(RelayMetrics.UNACKED_BYTES, unacked + " bytes unacknowledged, more than " + settings.maxUnackedBytes());
    }
  }

  /**
   * A frame for this follower (a broadcast or a presence message), from any thread: queued behind
   * what it has not been sent yet, under the same bounds.
   */
  void sendQueued(ByteBuf frame) {
    try {
      ctx.executor().execute(() -> {
        if (closing || !following || !ctx.channel().isActive()) {
          frame.release();
          return;
        }
        queue.add(new Segment(-1, frame, false, 0));
        queuedBytes += frame.readableBytes();
        checkUnackedBytes();
        drain();
      });
    } catch (RejectedExecutionException e) {
      frame.release(); // the relay is shutting down
    }
  }

  /** Writes queued segments while the channel takes them. */
  private void drain() {
    boolean wrote = false;
    while (!closing && ctx.channel().isWritable() && !queue.isEmpty()) {
      Segment segment = queue.poll();
      queuedBytes -= segment.frames().readableBytes();
      if (segment.completes()) {
        unacknowledged.add(new long[] {segment.endLsn(), System.nanoTime()});
      }
      send(segment.frames());
      wrote = true;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  private void send(ByteBuf frames) {
    sentBytes += frames.readableBytes();
    lastWriteNanos = System.nanoTime();
    ctx.write(frames, ctx.voidPromise());
  }

  private void acknowledged(Frames.Ack ack) {
    if (ack.receivedBytes() > ackedBytes) {
      ackedBytes = Math.min(ack.receivedBytes(), sentBytes);
    }
    if (!Lsn.after(ack.endLsn(), ackedEndLsn)) {
      return;
    }
    ackedEndLsn = ack.endLsn();
    while (!unacknowledged.isEmpty() && !Lsn.after(unacknowledged.peek()[0], ack.endLsn())) {
      unacknowledged.poll();
    }
    server.acksAdvanced();
  }

  private void tick() {
    if (closing) {
      return;
    }
    long now = System.nanoTime();
    long[] oldest = unacknowledged.peek();
    long timeout = settings.ackTimeout().toNanos();
    if (oldest != null && now - oldest[1] > timeout) {
      cutOff(RelayMetrics.ACK_TIMEOUT, "LSN " + Lsn.format(oldest[0]) + " unacknowledged after "
          + TimeUnit.NANOSECONDS.toMillis(now - oldest[1]) + " ms");
    } else if (unwritable && now - unwritableSinceNanos > timeout) {
      cutOff(RelayMetrics.UNWRITABLE, "not reading for " + TimeUnit.NANOSECONDS.toMillis(now - unwritableSinceNanos)
          + " ms");
    } else if (now - lastReadNanos > silenceNanos()) {
      // A follower answers every KEEPALIVE: one that says nothing for this long is gone (its node
      // died, the network split) and its clients' presences must not outlive it by much.
      cutOff(RelayMetrics.SILENT, "nothing heard for " + TimeUnit.NANOSECONDS.toMillis(now - lastReadNanos) + " ms");
    } else if (now - lastWriteNanos >= settings.keepaliveInterval().toNanos() && queue.isEmpty()) {
      send(Frames.keepalive(ctx.alloc()));
      ctx.flush();
    }
  }

  /**
   * Three keepalive intervals, and never under two seconds: what a follower may stay silent. Shorter
   * than the five a follower allows the leader, so the leader is the one to notice a follower gone.
   */
  private long silenceNanos() {
    return Math.max(TimeUnit.SECONDS.toNanos(2), 3 * settings.keepaliveInterval().toNanos());
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    if (!writable && !unwritable) {
      unwritableSinceNanos = System.nanoTime();
    }
    unwritable = !writable;
    if (writable) {
      drain();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof RelayProtocolException.FrameTooLarge tooLarge) {
        reject(RelayMetrics.OVERSIZED_FRAME, tooLarge.getMessage());
        return;
      }
      if (t instanceof RelayProtocolException malformed) {
        reject(RelayMetrics.MALFORMED_FRAME, malformed.getMessage());
        return;
      }
    }
    if (!closing) {
      server.connectionFailed(this, cause instanceof IOException ? cause.getMessage() : cause.toString());
    }
    closing = true;
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (handshakeDeadline != null) {
      handshakeDeadline.cancel(false);
    }
    if (ticker != null) {
      ticker.cancel(false);
    }
    server.backlog().unsubscribe(reader);
    queue.forEach(segment -> segment.frames().release());
    queue.clear();
    if (admitted) {
      server.left(this, following, closing);
    }
    closing = true;
    ctx.fireChannelInactive();
  }

  private void cutOff(String reason, String detail) {
    if (!closing) {
      closing = true;
      server.cutOff(this, reason, detail);
      ctx.close();
    }
  }

  private void reject(String reason, String detail) {
    if (!closing) {
      closing = true;
      server.rejected(this, reason, detail);
      ctx.close();
    }
  }

  /** Tells the peer why before closing: a follower with the wrong secret reports it. */
  private void refuse(String reason, String detail) {
    if (!closing) {
      closing = true;
      server.rejected(this, reason, detail);
      ctx.writeAndFlush(Frames.refused(ctx.alloc(), reason)).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
