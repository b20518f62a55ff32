package dev.slipstream.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection of a follower to the leader, on the client's event loop: answers the challenge,
 * checks the leader's proof, hands the stream to the {@link RelayFeed}, and acknowledges once per
 * batch of frames read (after the sink took them). A frame the leader should not send, or silence
 * longer than five keepalive intervals, ends the connection; the client reconnects. Each KEEPALIVE
 * is answered, so the leader can tell a follower that went away. Broadcasts and presence messages
 * travel both ways once welcomed: the pod's own to the leader, the others' from it.
 */
final class LeaderLink extends ChannelInboundHandlerAdapter {

  static final String TIMEOUT = "timeout";
  /** Frames from the leader, once it proved the secret: an event may be as large as PostgreSQL's 1 GB. */
  private static final int MAX_FRAME_BYTES = Integer.MAX_VALUE - 64;

  private final RelayClient client;
  private final RelayFeed feed;
  private final FrameDecoder decoder;
  private final byte[] nonce = RelayAuth.nonce();
  private byte[] serverNonce;
  /** Which of the pod's secrets this connection proves (RelayAuth), fixed at CHALLENGE. */
  private int key;
  private boolean welcomed;
  private long receivedBytes;
  private long ackedBytes;
  private long ackedEndLsn;
  private boolean failed;
  private ChannelHandlerContext ctx;

  LeaderLink(RelayClient client, RelayFeed feed, FrameDecoder decoder) {
    this.client = client;
    this.feed = feed;
    this.decoder = decoder;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  /** Whether the connection takes more without queueing past its high water mark. */
  boolean writable() {
    return ctx.channel().isWritable();
  }

  /** A frame for the leader (a broadcast); on the client's loop. */
  void send(ByteBuf frame) {
    ctx.writeAndFlush(frame, ctx.voidPromise());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (failed) {
        return; // frames decoded from the same read as the one that ended the connection
      }
      read(ctx, Frames.type(frame), frame);
    } catch (RelayProtocolException e) {
      fail("the leader's relay at " + client.leaderName() + " sent a malformed frame: " + e.getMessage());
      ctx.close();
    } catch (RuntimeException e) { // the sink or the backlog failed: a bug; start over from what was fed
      failed = true;
      client.sinkFailed(e);
      ctx.close();
    } finally {
      frame.release();
    }
  }

  private void read(ChannelHandlerContext ctx, int type, ByteBuf frame) {
    ByteBuf body = Frames.body(frame);
    if (!welcomed) {
      switch (type) {
        case Frames.CHALLENGE -> challenge(ctx, Frames.readChallenge(body));
        case Frames.WELCOME -> welcome(ctx, Frames.readWelcome(body));
        case Frames.REFUSED -> refused(ctx, Frames.readRefused(body));
        default -> throw new RelayProtocolException(Frames.name(type) + " before WELCOME");
      }
      return;
    }
    receivedBytes += frame.readableBytes();
    switch (type) {
      case Frames.CHUNK -> feed.chunk(frame);
      case Frames.COMMIT -> feed.commit(Frames.readLsn(body, "COMMIT"));
      case Frames.GAP -> feed.gap(Frames.readLsn(body, "GAP"));
      case Frames.KEEPALIVE -> {
        Wire.end(body, "KEEPALIVE");
        send(Frames.keepalive(ctx.alloc())); // the leader judges a follower silent for long gone
      }
      case Frames.PRESENCE -> client.presenceReceived(Frames.readPresence(body));
      case Frames.BROADCAST -> client.broadcastReceived(Frames.readBroadcast(body).broadcast());
      case Frames.BROADCAST_ACK -> client.broadcastAcknowledged(Frames.readBroadcastAck(body));
      default -> throw new RelayProtocolException("unexpected " + Frames.name(type) + " frame from the leader");
    }
  }

  private void challenge(ChannelHandlerContext ctx, Frames.Challenge challenge) {
    if (serverNonce != null) {
      throw new RelayProtocolException("a second CHALLENGE");
    }
    if (challenge.version() != Frames.VERSION) {
      fail("the leader's relay speaks protocol version " + challenge.version() + ", this pod "
          + Frames.VERSION);
      ctx.close();
      return;
    }
    serverNonce = challenge.nonce();
    long from = feed.lastEndLsn();
    // Always resuming: a pod with nothing yet asks from LSN 0, which is everything in the leader's
    // backlog, so a pod that starts during a roll can serve a client that resumes from before it
    // joined (instead of telling it of a gap). Leaders take resuming=false too (pods before this).
    boolean resuming = true;
    key = client.key();
    byte[] mac = client.auth().helloMac(key, serverNonce, nonce, client.pod(), resuming, from);
    ctx.writeAndFlush(Frames.hello(ctx.alloc(), new Frames.Hello(Frames.VERSION, client.pod(), resuming, from, nonce,
        mac)), ctx.voidPromise());
  }

  private void welcome(ChannelHandlerContext ctx, Frames.Welcome welcome) {
    if (serverNonce == null) {
      throw new RelayProtocolException("WELCOME before CHALLENGE");
    }
    byte[] expected = client.auth().welcomeMac(key, nonce, serverNonce, welcome.startLsn(), welcome.serverWalEnd(),
        welcome.keepaliveMillis());
    if (!RelayAuth.same(expected, welcome.mac())) {
      fail("the relay at " + client.leaderName() + " could not prove it holds the tenant's secret");
      ctx.close();
      return;
    }
    welcomed = true;
    decoder.limit(MAX_FRAME_BYTES);
    long idle = Math.max(Duration.ofSeconds(2).toMillis(), 5L * Math.max(1, welcome.keepaliveMillis()));
    ctx.pipeline().replace(TIMEOUT, TIMEOUT, new ReadTimeoutHandler(idle, TimeUnit.MILLISECONDS));
    ackedEndLsn = feed.lastEndLsn();
    client.linked(this); // before it reports itself connected: a connected client can send broadcasts
    client.following(welcome.startLsn());
    feed.welcome(welcome.startLsn(), welcome.serverWalEnd());
  }

  private void refused(ChannelHandlerContext ctx, String reason) {
    if (reason.equals(RelayMetrics.BAD_SECRET)) {
      client.refusedKey(key); // the next connection proves the pod's next secret, if it has one
    }
    fail(reason.equals(RelayMetrics.BAD_SECRET) ? "the leader's relay refused this pod's secret"
        : "the leader's relay refused this pod: " + Logs.safe(reason));
    ctx.close();
  }

  /** One ACK per batch read, when the follower got further. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    long endLsn = feed.lastEndLsn();
    if (welcomed && ctx.channel().isActive() && (Lsn.after(endLsn, ackedEndLsn) || receivedBytes > ackedBytes)) {
      ackedEndLsn = endLsn;
      ackedBytes = receivedBytes;
      ctx.writeAndFlush(Frames.ack(ctx.alloc(), new Frames.Ack(endLsn, receivedBytes)), ctx.voidPromise());
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ReadTimeoutException) {
      fail(welcomed ? "the leader's relay at " + client.leaderName() + " went silent"
          : "the leader's relay at " + client.leaderName() + " did not complete the handshake");
    } else if (tlsFailure(cause) != null) {
      fail("the TLS handshake with the leader's relay at " + client.leaderName() + " failed: " + tlsFailure(cause));
    } else if (cause.getCause() instanceof RelayProtocolException e) {
      fail("the leader's relay at " + client.leaderName() + " sent a malformed frame: " + e.getMessage());
    } else {
      fail("lost the connection to the leader's relay at " + client.leaderName() + ": "
          + RelayClient.describe(cause));
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    client.unlinked(this);
    if (!failed) {
      client.failed(welcomed ? "lost the connection to the leader's relay at " + client.leaderName()
          : "the leader's relay at " + client.leaderName() + " closed the connection during the handshake");
    }
    client.disconnected();
    ctx.fireChannelInactive();
  }

  /** The innermost message of a TLS failure in the chain (the certificate check's words), or null. */
  private static String tlsFailure(Throwable cause) {
    boolean tls = false;
    Throwable innermost = cause;
    for (Throwable t = cause; t != null && t != t.getCause(); t = t.getCause()) {
      tls |= t instanceof javax.net.ssl.SSLException;
      innermost = t;
    }
    return tls ? String.valueOf(innermost.getMessage()) : null;
  }

  private void fail(String problem) {
    failed = true;
    client.failed(problem);
  }
}
