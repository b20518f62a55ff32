package dev.slipstream.runtime.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The connections a server accepted or a client opened, closed by their owner before its event
 * loops stop ({@link #closeThenStop}).
 *
 * <p>Why not leave that to {@code shutdownGracefully}: Netty 4.2's event loop closes the channels
 * still registered with it only in a pass that has already seen the shutdown. A shutdown with no
 * quiet period asked for between that check and the end of the pass ends the loop at once, and the
 * channels it still serves are never closed: no handler hears {@code channelInactive}, so what they
 * hold (an {@code SslHandler}'s unread bytes and queued writes) is never released, and the peer is
 * never told. {@code RelayTlsTest}'s leak check caught it about once in a few runs; closing here
 * first leaves the loop nothing to close.
 */
public final class OpenConnections {

  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /** Tracks {@code channel} until it closes (the group forgets closed channels by itself). */
  public void add(Channel channel) {
    open.add(channel);
  }

  public int size() {
    return open.size();
  }

  /** {@link #closeThenStop(Iterable, EventLoopGroup, Duration)} with the connections tracked here. */
  public void closeThenStop(EventLoopGroup loops, Duration timeout) {
    closeThenStop(open, loops, timeout);
  }

  /**
   * Closes {@code channels} through their pipelines (TLS sends its close_notify) and waits up to
   * {@code timeout} for them to close, then stops {@code loops}, which have {@code timeout} to finish
   * what is queued, and waits up to twice that. A closed channel's {@code channelInactive} is
   * queued on its loop, and a stopping loop runs what is queued. Not on one of {@code loops}.
   */
  public static void closeThenStop(Iterable<Channel> channels, EventLoopGroup loops, Duration timeout) {
    List<ChannelFuture> closing = new ArrayList<>();
    channels.forEach(channel -> closing.add(channel.close()));
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ChannelFuture closed : closing) {
      closed.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    loops.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(2 * timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** On one of the loops: closes every connection and asks the loops to stop, waiting for neither. */
  public void closeAndStop(EventLoopGroup loops, Duration timeout) {
    open.close();
    loops.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
