package dev.slipstream.runtime.transport;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Turns a WebSocket's frames into the messages its protocol handler reads, doing in one handler
 * what would otherwise take three of Netty's (protocol handler, UTF-8 validator, frame
 * aggregator), since every handler costs every connection its context:
 * <ul>
 *   <li>control frames: a ping is answered with a pong (counted against the byte budget like
 *       everything else), a pong dropped, a close echoed and the connection closed;
 *   <li>fragmented messages reassembled (RFC 6455 section 5.4), at most {@code maxMessageBytes}
 *       (over it: close 1009); a continuation without a start, or a new message before the last
 *       one ended, is a protocol error (close 1002);
 *   <li>text must be UTF-8 (close 1007 otherwise);
 *   <li>each complete message tells the {@link ClientConnection}: its bytes are no longer held by
 *       decoders, and the connection is not idle. Pings do not count: a client keeps its socket
 *       with messages, as Phoenix heartbeats are.
 * </ul>
 * Frames are decoded before this (masks required, control frames whole and small) by Netty's
 * frame decoder, which closes the connection itself on what it cannot read.
 */
final class WebSocketMessages extends ChannelInboundHandlerAdapter {

  private final int maxMessageBytes;
  private ClientConnection connection;
  /** A fragmented message being reassembled, and whether it is text. */
  private CompositeByteBuf fragments;
  private boolean fragmentsAreText;
  private boolean closing;

  WebSocketMessages(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    connection = ClientConnection.of(ctx.channel());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      frame.release();
      return;
    }
    switch (frame) {
      case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
      case PongWebSocketFrame pong -> pong.release();
      case CloseWebSocketFrame close -> {
        closing = true;
        int status = close.statusCode();
        close.release();
        ctx.writeAndFlush(status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, null))
            .addListener(ChannelFutureListener.CLOSE);
      }
      case ContinuationWebSocketFrame continuation -> continuation(ctx, continuation);
      default -> start(ctx, frame);
    }
  }

  private void start(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (fragments != null) {
      frame.release();
      fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "a new message before the last one ended");
      return;
    }
    if (frame.isFinalFragment()) {
      complete(ctx, frame);
      return;
    }
    fragmentsAreText = frame instanceof TextWebSocketFrame;
    fragments = ctx.alloc().compositeBuffer(64);
    fragments.addComponent(true, frame.content());
  }

  private void continuation(ChannelHandlerContext ctx, ContinuationWebSocketFrame frame) {
    if (fragments == null) {
      frame.release();
      fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "a continuation without a message to continue");
      return;
    }
    if (fragments.readableBytes() + frame.content().readableBytes() > maxMessageBytes) {
      frame.release();
      fail(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big");
      return;
    }
    fragments.addComponent(true, frame.content());
    if (frame.isFinalFragment()) {
      CompositeByteBuf whole = fragments;
      fragments = null;
      complete(ctx, fragmentsAreText ? new TextWebSocketFrame(whole) : new BinaryWebSocketFrame(whole));
    }
  }

  private void complete(ChannelHandlerContext ctx, WebSocketFrame message) {
    if (message instanceof TextWebSocketFrame && !ByteBufUtil.isText(message.content(), StandardCharsets.UTF_8)) {
      message.release();
      fail(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "text is not UTF-8");
      return;
    }
    if (connection != null) {
      connection.messageCompleted();
    }
    ctx.fireChannelRead(message);
  }

  private void fail(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
    closing = true;
    releaseFragments();
    WebSocketStage.close(ctx.channel(), status.code(), reason);
  }

  private void releaseFragments() {
    if (fragments != null) {
      ReferenceCountUtil.release(fragments);
      fragments = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseFragments();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseFragments();
  }
}
