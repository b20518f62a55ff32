package dev.slipstream.bench.host;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The baselines' subscribers: a connection answers every Phoenix message with an ok reply (so the
 * load generator's join completes) and becomes a member with its first one. Members are kept per
 * event loop, so a baseline writes to them from one task per loop with no locking.
 */
final class JoinedChannels {

  private static final byte[] REPLY = "[\"1\",\"1\",\"realtime:bench\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"
      .getBytes(StandardCharsets.UTF_8);

  private final Map<EventLoop, List<Channel>> joined = new ConcurrentHashMap<>();
  private final AtomicInteger members = new AtomicInteger();

  /** The handler to put after the WebSocket protocol handler, one per connection. */
  ChannelHandler newHandler() {
    return new Replier();
  }

  int size() {
    return members.get();
  }

  /** Runs {@code action} with each event loop's members, on that loop; the futures of the tasks. */
  List<Future<?>> forEachLoop(Consumer<List<Channel>> action) {
    List<Future<?>> done = new ArrayList<>();
    joined.forEach((loop, channels) -> done.add(loop.submit(() -> action.accept(channels))));
    return done;
  }

  /**
   * Calls {@code visitor} on the calling thread with each event loop and its members' list; the
   * list may be read only by a task on that loop.
   */
  void eachLoop(BiConsumer<EventLoop, List<Channel>> visitor) {
    joined.forEach(visitor);
  }

  private final class Replier extends SimpleChannelInboundHandler<TextWebSocketFrame> {

    private boolean member;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) {
      if (!member) {
        member = true;
        // Only this channel's event loop touches its list.
        joined.computeIfAbsent(ctx.channel().eventLoop(), l -> new ArrayList<>()).add(ctx.channel());
        members.incrementAndGet();
      }
      ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(REPLY)));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (member) {
        joined.get(ctx.channel().eventLoop()).remove(ctx.channel());
        members.decrementAndGet();
      }
      ctx.fireChannelInactive();
    }
  }
}
