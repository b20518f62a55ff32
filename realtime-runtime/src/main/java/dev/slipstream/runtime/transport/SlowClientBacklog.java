package dev.slipstream.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * What a client cut off for slowness had not been sent is dropped before its close frame is
 * written, so the close frame goes out right behind the frame in flight instead of behind
 * megabytes the client will never read: a stalled client that reads again sees its 4000, not a
 * connection cut after the close's grace period (1006), and the shared frames it held are freed
 * at once. The frame the socket was part-way through is finished (as a copy of its rest), so
 * what the client reads stays well-formed.
 */
final class SlowClientBacklog {

  private SlowClientBacklog() {
  }

  /** Empties {@code connection}'s outbound buffer, keeping the rest of a frame the socket started. On the event loop. */
  static void discard(ChannelHandlerContext connection) {
    ChannelOutboundBuffer outbound = connection.channel().unsafe().outboundBuffer();
    if (outbound == null) {
      return; // closed already
    }
    outbound.addFlush(); // what was written but not flushed yet is dropped too
    ByteBuf rest = null;
    Object head = outbound.current();
    if (head != null && outbound.currentProgress() > 0) {
      if (!(head instanceof ByteBuf started)) {
        return; // nothing this transport writes, but then the backlog stays: the close waits behind it
      }
      rest = started.copy();
    }
    while (outbound.remove()) {
      // each removal releases its message and completes its promise
    }
    if (rest != null) {
      connection.write(rest, connection.voidPromise());
    }
  }
}
