package dev.slipstream.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into frames, each passed on whole, length prefix included (so a follower
 * can keep a chunk exactly as it arrived). A frame announced longer than {@link #limit} is refused
 * at its length field, before any of it is buffered; after a refusal the rest of the input is
 * dropped unread (the handler closes the connection). Runs on the channel's event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {

  private int limit;
  private boolean failed;

  /** @param limit the largest frame accepted, type byte and body (not the length field) */
  FrameDecoder(int limit) {
    this.limit = limit;
  }

  /** Accept larger frames from now on: the leader raises it once the peer proved the secret. */
  void limit(int limit) {
    this.limit = limit;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < Frames.LENGTH_BYTES) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length < 1 || length > limit) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw length < 1 ? new RelayProtocolException("empty relay frame")
          : new RelayProtocolException.FrameTooLarge(length, limit);
    }
    if (in.readableBytes() >= Frames.LENGTH_BYTES + length) {
      // One frame per call: Netty hands it on before decoding the next, so a limit raised by the
      // frame's handler applies to the frames after it.
      out.add(in.readRetainedSlice(Frames.LENGTH_BYTES + (int) length));
    }
  }
}
