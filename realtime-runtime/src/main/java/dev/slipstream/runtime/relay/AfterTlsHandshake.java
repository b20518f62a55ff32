package dev.slipstream.runtime.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Behind the leader's {@code SslHandler}: the follower session starts (its challenge, its handshake
 * deadline) only once TLS is up, so nothing waits inside {@code SslHandler} for a handshake that may
 * never finish, and a peer that fails TLS never reaches the session at all. {@code SslHandler}
 * closes such a connection itself, within the relay's handshake timeout.
 */
final class AfterTlsHandshake extends ChannelInboundHandlerAdapter {

  private boolean active;

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // Held until the handshake succeeds.
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess() && ctx.channel().isActive()) {
        active = true;
        ctx.fireChannelActive();
      } else {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (active) {
      ctx.fireExceptionCaught(cause);
    } else {
      ctx.close(); // a failed TLS handshake: the session never started
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (active) {
      ctx.fireChannelInactive();
    }
  }
}
